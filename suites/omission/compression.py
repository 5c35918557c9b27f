"""Compression diagnostics: is the output long enough to be a safeguarding record?

Reported per case: output words; output length as a share of the source and of the reference;
annotated key facts per 100 output words. The case is flagged too short when the output has
fewer than `MIN_SHARE_OF_REFERENCE` of the reference's words, or, with no reference, fewer than
`MIN_SHARE_OF_SOURCE` of the source's words (the seeds report generative minutes "far too short").

`value` is the output's length relative to the reference, capped at 1 (1 = at least as long as
the reference; with no reference, relative to `MIN_SHARE_OF_SOURCE` of the source).
"""

from __future__ import annotations

from harness.goldens import Case
from harness.scoring import Finding, Score

MIN_SHARE_OF_REFERENCE = 0.5
MIN_SHARE_OF_SOURCE = 0.15


def _words(text: str) -> int:
    return len(text.split())


class CompressionScorer:
    """Length against source and reference; fails when too short for a safeguarding record."""

    name = "compression"
    version = "1.0.0"
    threshold = MIN_SHARE_OF_REFERENCE
    description = "Output length against the source and reference, key facts per 100 words, too-short flag."

    def score(self, case: Case, output: str) -> Score:
        out, src, ref = _words(output), _words(case.source), _words(case.reference or "")
        share_source = out / src if src else None
        share_reference = out / ref if ref else None
        if share_reference is not None:
            value, too_short = min(1.0, share_reference), share_reference < MIN_SHARE_OF_REFERENCE
            basis = f"{out} words is {share_reference:.0%} of the reference's {ref}"
        else:
            value = min(1.0, (share_source or 0.0) / MIN_SHARE_OF_SOURCE)
            too_short = (share_source or 0.0) < MIN_SHARE_OF_SOURCE
            basis = f"{out} words is {share_source or 0:.0%} of the source's {src}"
        findings = [Finding(kind="too_short", severity="major", reason=f"too short for a safeguarding record: {basis}")] if too_short else []
        return Score(value=value, passed=not too_short, findings=findings, details={
            "output_words": out, "source_words": src, "reference_words": ref or None,
            "share_of_source": round(share_source, 4) if share_source is not None else None,
            "share_of_reference": round(share_reference, 4) if share_reference is not None else None,
            "key_facts_per_100_words": round(100 * len(case.key_facts) / out, 2) if out else None,
            "too_short": too_short})
