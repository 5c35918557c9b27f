"""The pack's validity caveats: the measured validity figures per scorer and the general caveats.

`CAVEATS` holds, per scorer, what assure's validity benchmark measured (in substance as README.md
gives it); `GENERAL_CAVEATS` the caveats that hold for every score; `_caveats` writes section 7.
"""

from __future__ import annotations

from collections.abc import Mapping

from .compare import Comparison
from .pack_format import _e

_VALIDITY = "section \u201cValidity benchmark\u201d"
_FALSE_ALARMS = "subsection \u201cFalse alarms on faithful text written elsewhere\u201d"
_OMISSION = "subsection \u201cOmission validity\u201d"
_SECTIONS = {"key_fact_recall": f"{_VALIDITY}, {_OMISSION} and {_FALSE_ALARMS}",
             "derived_key_fact_recall": f"{_VALIDITY}, {_OMISSION}",
             "minutes_structure": f"{_VALIDITY}, {_FALSE_ALARMS}",
             "distortion": f"{_VALIDITY} and its {_FALSE_ALARMS}",
             "reference_agreement": f"{_VALIDITY} and its {_FALSE_ALARMS}"}

# Measured validity figures per scorer, in substance as README.md's "Validity benchmark" (and the
# "False alarms on faithful text written elsewhere" and "Omission validity") sections give them.
# Update them with the README when `assure bench validity` is rerun.
CAVEATS: dict[str, str] = {
    "unsupported_details": (
        "On injected detail defects (changed dates, doses, sums, times, swapped names, invented actions and "
        "attendees) it failed every defective case: recall 1.000 at precision 1.000 on both bundled sets, and no "
        "reference, restyled reference or extractive-baseline output failed (0 of 144 faithful outputs). On "
        "SummEdits (human labels) it caught only 12.7% of inconsistent summaries (balanced accuracy 0.564): it "
        "sees literal details only, not reworded claims, changed relations, flipped consent, statements credited "
        "to the wrong person or omissions."),
    "claim_support": (
        "On injected defects it failed 85.2% of defective minutes and 91.0% of defective case notes at precision "
        "1.000, and none of 144 faithful outputs failed; but it caught consent flips in 8 of 12 (minutes) and 13 of "
        "17 (case notes), capacity flips in 3 of 5 and 1 of 2, and statements credited to the wrong person in 16 of "
        "24 and 18 of 24; allegations stated as fact and other negation flips are findings for review only (they "
        "never fail a case). On SummEdits (human labels) it does no better than chance (balanced accuracy 0.503)."),
    "supported_claim_share": (
        "It passes nearly every injected defective output at its threshold (recall 0.000 on both sets; balanced "
        "accuracy 0.451 on SummEdits): its findings help a reviewer, but its pass or fail carries little evidence."),
    "distortion": (
        "It caught none of the 9 injected allegations stated as fact and failed 2 of 24 faithful reference case "
        "notes: its findings help a reviewer, but its pass or fail carries little evidence."),
    "reference_agreement": (
        "It measures agreement with the reference, not faithfulness, and must not be read as a hallucination "
        "verdict: it failed 24 of 24 and 20 of 24 faithful extractive-baseline outputs, and passed nearly every "
        "injected defective output (recall 0.000)."),
    "key_fact_recall": (
        "On injected omissions it reported 93.7% (minutes) and 96.6% (case notes) of removed critical key facts as "
        "not present, but also reported 17% and 21% of the references' own critical facts as only partly present: "
        "6 of 24 reference minutes and 3 of 24 reference case notes fail, and 6 of 24 faithful restyled minutes "
        "fail (mostly the adult's views written as their own quoted words). Agreement with human judges on "
        "REALSumm: Cohen's kappa 0.46-0.52. The targets (recall 0.98 with at most 5% false alarms) are not met: "
        "absent and partial findings need a reviewer's eye."),
    "derived_key_fact_recall": (
        "Its candidate facts are the reference's own statements, not annotated key facts; on whole meeting "
        "summaries judged against a reference (Kirstein et al. 2024) the matcher carried no signal. Lower "
        "confidence: read its findings, not its pass rate."),
    "minutes_structure": (
        "All 24 reference minutes and all 24 restyled minutes (six other house styles) pass; it checks that the "
        "elements of the minutes standard are present, not that they are right."),
}
GENERAL_CAVEATS = (
    "Every score here comes from assure's automated, embedded judge (rules, lexical evidence and a small local "
    "sentence-embedding model running offline), not from a person. It is evidence for the panel to weigh, not a "
    "verdict: read the cases and findings in this pack before relying on a difference.",
    "A difference is stated only when it is significant after the Holm correction; where none is, that is absence "
    "of evidence on this many cases, not proof that the tools are equal.",
    "Golden sets are synthetic: no real person's data was used. Results on them predict, but do not guarantee, "
    "behaviour on a council's own records.",
)


def _caveats(comparison: Comparison, validity: Mapping[str, str]) -> str:
    items = []
    for scorer in comparison.scorers:
        text = validity.get(scorer) or CAVEATS.get(scorer)
        where = f"README.md, {_SECTIONS.get(scorer, _VALIDITY)}"
        body = (f"{_e(text)} <span class=muted>(As measured in assure's validity benchmark, {_e(where)}.)</span>"
                if text else "No measured validity figures for this scorer in assure's validity benchmark: treat its "
                "scores as unvalidated.")
        items.append(f"<dt>{_e(scorer)}</dt><dd>{body}</dd>")
    general = "".join(f"<li>{_e(c)}</li>" for c in GENERAL_CAVEATS)
    return (f"<section><h2>7. Validity caveats</h2><ul>{general}</ul><dl class=caveats>{''.join(items)}</dl></section>")
