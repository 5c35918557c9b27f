"""The deep judge's evidence signals: each claim of an output checked against its nearest source passages
by the packaged NLI cross-encoder (SummaC-style: a claim is as supported as its best passage).

For each claim (`judge.claims.split_claims`: sentences and ';'-clauses with at least three content terms)
the candidate passages (single sentences and pairs of adjacent sentences of the source) are ranked by
lexical coverage (`judge.align`) and by embedding similarity (`judge.embed`); the top `k` of each are
asked. Per claim this keeps the best passage's contradiction score (`support`: low = some passage states
the claim) and the worst (`conflict`: high = some close passage contradicts it), with the passages
themselves, so a finding can quote its evidence.

With `verdict=True` each claim is also put to the local instruction model (`judge.verdict`): does the
evidence (the best passage by NLI and the best by lexical coverage, in source order) state the claim? Its
P(YES) is the claim's `stated`.

`case_signals` sums a case up in the features the calibrated combiner reads (documented on `CaseSignals`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .align import cached_passages, coverage, terms
from .claims import split_claims
from .embed import similarity
from .nli import nli
from .verdict import verdicts

TOP_LEXICAL = 3
TOP_SEMANTIC = 2


@dataclass(frozen=True)
class ClaimSignal:
    """One claim against its nearest passages: `support` is the lowest contradiction score over them (the
    best passage), `conflict` the highest; `coverage` the best lexical coverage of the claim's terms."""

    claim: str
    offset: int
    support: float
    conflict: float
    coverage: float
    best_passage: str
    conflicting_passage: str
    evidence: str = ""  # what the instruction model was shown (verdict mode)
    stated: float | None = None  # its P(YES) that the evidence states the claim (verdict mode)


@dataclass(frozen=True)
class CaseSignals:
    """Features of one (source, output) pair for the combiner, each in [0, 1]:

    `worst_support`: the highest `support` over claims (the least supported claim's best passage);
    `mean_support`: its mean over claims; `worst_conflict`: the highest `conflict` over claims;
    `lowest_coverage`: the lowest best lexical coverage over claims; `least_stated`: the lowest `stated`
    over claims (verdict mode; 1.0 otherwise); `claims`: the per-claim signals."""

    worst_support: float
    mean_support: float
    worst_conflict: float
    lowest_coverage: float
    claims: tuple[ClaimSignal, ...]
    least_stated: float = 1.0


def candidates(claim_terms: frozenset[str], pool: tuple, semantic: np.ndarray | None) -> list[int]:
    """Indexes of the passages to ask about one claim: top lexical coverage, then top embedding similarity."""
    lexical = sorted(range(len(pool)), key=lambda i: -coverage(claim_terms, pool[i].terms))[:TOP_LEXICAL]
    chosen = list(lexical)
    if semantic is not None:
        for i in np.argsort(-semantic)[: TOP_SEMANTIC + len(chosen)]:
            if int(i) not in chosen and len(chosen) < TOP_LEXICAL + TOP_SEMANTIC:
                chosen.append(int(i))
    return chosen


def claim_signals(source: str, output: str, semantic: bool = True, verdict: bool = False) -> tuple[ClaimSignal, ...]:
    """Every claim of `output` against its nearest passages of `source` (and the instruction model's verdict)."""
    claims = split_claims(output)
    pool = cached_passages(source, 2)
    if not claims or not pool:
        return ()
    sims = similarity([c.text for c in claims], [p.text for p in pool]) if semantic else None
    asked = [candidates(c.terms, pool, None if sims is None else sims[i]) for i, c in enumerate(claims)]
    pairs = [(pool[j].text, c.text) for c, idx in zip(claims, asked) for j in idx]
    scores = nli().contradiction(pairs)
    out, at = [], 0
    for claim, idx in zip(claims, asked):
        values = scores[at:at + len(idx)]
        at += len(idx)
        best, worst = int(np.argmin(values)), int(np.argmax(values))
        shown = sorted({idx[best], idx[0]}, key=lambda j: pool[j].start)  # best by NLI and best by lexical coverage
        out.append(ClaimSignal(claim.text, claim.start, float(values[best]), float(values[worst]),
                               max(coverage(claim.terms, pool[j].terms) for j in idx),
                               pool[idx[best]].text, pool[idx[worst]].text, " ".join(pool[j].text for j in shown)))
    if verdict:
        stated = verdicts().stated([(c.evidence, c.claim) for c in out])
        out = [replace(c, stated=float(p)) for c, p in zip(out, stated, strict=True)]
    return tuple(out)


def case_signals(source: str, output: str, semantic: bool = True, verdict: bool = False) -> CaseSignals:
    """The case's features (see `CaseSignals`); an output with no checkable claim reads as fully supported."""
    claims = claim_signals(source, output, semantic, verdict)
    if not claims:
        return CaseSignals(0.0, 0.0, 0.0, 1.0, ())
    supports = [c.support for c in claims]
    stated = [c.stated for c in claims if c.stated is not None]
    return CaseSignals(max(supports), float(np.mean(supports)), max(c.conflict for c in claims),
                       min(c.coverage for c in claims), claims, min(stated) if stated else 1.0)
