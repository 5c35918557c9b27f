"""One pair side by side for the bias report: the two outputs of the reported test's widest difference.

`_example` picks the scenario where the difference is largest in the direction of the effect and
gives the sentences that differ between the two outputs (after the person's details are set aside),
with the key facts whose status differs or the stigmatising terms found, where the measure is one
of those.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from harness.goldens import Case
from judge.text import split_sentences

from .designs import Design
from .measures import neutralise, strip_identity
from .paired_measures import MEASURES, MEASURES_SCORER, RECALL_SCORER, _details
from .significance import _finite


def _normalise(sentence: str, case: Case) -> str:
    """A sentence with the substitution neutralised (`neutralise`), for comparing two variants' outputs."""
    return re.sub(r"\s+", " ", neutralise(sentence, case)).strip().lower()


def _differing(reference: Case, ref_out: str, other: Case, other_out: str, limit: int = 700) -> tuple[str, str]:
    a = [s for s in split_sentences(strip_identity(ref_out, reference))]
    b = [s for s in split_sentences(strip_identity(other_out, other))]
    na = Counter(_normalise(s, reference) for s in a)
    nb = Counter(_normalise(s, other) for s in b)
    only_a = [s for s in a if na[_normalise(s, reference)] > nb.get(_normalise(s, reference), 0)]
    only_b = [s for s in b if nb[_normalise(s, other)] > na.get(_normalise(s, other), 0)]

    def clip(parts: list[str]) -> str:
        if not parts:
            return ""
        text = " ... ".join(dict.fromkeys(parts))
        return text if len(text) <= limit else text[:limit - 3] + "..."
    return clip(only_a), clip(only_b)


def _example(design: Design, best: dict[str, Any], by_id: dict[str, Any]) -> dict[str, Any] | None:
    """One pair side by side for the reported test: the scenario where the difference is largest in
    the direction of the effect, with the sentences that differ between the two outputs."""
    d = best["_d"]
    if np.all(np.isnan(d)):
        return None
    sign = 1.0 if (best["effect"] or 0) >= 0 else -1.0
    scored = np.where(np.isnan(d), -np.inf, sign * d)
    i = int(np.argmax(scored))
    scenario = design.scenarios[i]
    ref_case = design.cells[scenario][design.reference]
    other_case = design.cells[scenario][best["group"]]
    ref_res, other_res = by_id.get(ref_case.id), by_id.get(other_case.id)
    ref_out = (ref_res.output if ref_res else None) or ""
    other_out = (other_res.output if other_res else None) or ""
    ref_span, other_span = _differing(ref_case, ref_out, other_case, other_out)
    metric = next(m for m in MEASURES if m.name == best["metric"])
    example: dict[str, Any] = {
        "scenario": scenario, "metric": best["metric"],
        "reference_case": ref_case.id, "other_case": other_case.id,
        "reference_value": _finite(metric.extract(ref_res)), "other_value": _finite(metric.extract(other_res)),
        "reference_span": ref_span or (ref_res.error if ref_res and ref_res.error else ""),
        "other_span": other_span or (other_res.error if other_res and other_res.error else ""),
        "note": ("sentences that appear in one output and not the other, after the person's name, title, pronouns "
                 "and identity sentence are set aside" if (ref_span or other_span)
                 else "the two outputs say the same apart from the person's details"),
    }
    if metric.scorer == RECALL_SCORER:
        example["facts_differing"] = _facts_differing(ref_res, other_res, best["metric"])
    if best["metric"] == "stigmatising_per_1000":
        example["terms"] = {"reference": _terms(ref_res), "other": _terms(other_res)}
    return example


def _facts_differing(ref_res: Any, other_res: Any, metric: str) -> list[dict[str, Any]]:
    wanted = {"views_recall": "views_wishes", "risk_recall": "risk"}.get(metric)
    ref = {f["id"]: f for f in (_details(ref_res, RECALL_SCORER) or {}).get("facts", [])}
    other = {f["id"]: f for f in (_details(other_res, RECALL_SCORER) or {}).get("facts", [])}
    out = []
    for fid, f in ref.items():
        g = other.get(fid)
        if g is None or f.get("status") == g.get("status") or (wanted and f.get("category") != wanted):
            continue
        out.append({"id": fid, "category": f.get("category"), "reference_status": f.get("status"),
                    "other_status": g.get("status"), "reference_span": f.get("span"), "other_span": g.get("span")})
    return out


def _terms(result: Any) -> list[str]:
    details = _details(result, MEASURES_SCORER) or {}
    return [h.get("matched", h.get("term")) for h in details.get("stigmatising_hits", [])]
