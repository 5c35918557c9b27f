"""Run reports built by hand, in the shape harness/report.py writes, for comparison and gate tests."""

from __future__ import annotations

from typing import Any

from harness.runs import RunReport


def finding(kind: str, severity: str = "critical", reason: str = "", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, "reason": reason or f"{kind} found", "output_span": extra.get("output_span"),
            "source_evidence": extra.get("source_evidence"), "key_fact_id": extra.get("key_fact_id")}


def score(value: float | None, passed: bool | None = None, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"value": value, "passed": (value is not None and value >= 0.5) if passed is None else passed,
            "findings": findings or []}


def report(run_id: str, cases: dict[str, dict[str, dict[str, Any]]], tool: str = "tool", golden_hash: str = "h" * 64,
           errors: list[str] = (), kind: str = "recorded") -> RunReport:
    """A report whose cases map case id -> scorer -> score dict; `errors` lists errored case ids."""
    scorers = sorted({name for scores in cases.values() for name in scores})
    entries = [{"case_id": cid, "output": f"output of {cid}", "error": None, "scores": scores} for cid, scores in cases.items()]
    entries += [{"case_id": cid, "output": None, "error": "timeout: no answer", "scores": {}} for cid in errors]
    metrics = {name: {"mean": None, "ci_low": None, "ci_high": None, "pass_rate": None,
                      "n_scored": sum(1 for s in cases.values() if s.get(name, {}).get("value") is not None), "n_unscored": 0}
               for name in scorers}
    return RunReport(run_id, {
        "run_id": run_id,
        "target": {"name": tool, "version": "1", "kind": kind, "config_hash": "c", "baseline": False, "label": tool},
        "golden_set": {"id": "set", "version": "1.0.0", "hash": golden_hash, "cases": len(entries), "path": "/nonexistent"},
        "metrics": metrics, "errors": len(errors), "cases": entries, "warnings": [], "suites": [], "harness_version": "x"})


def uniform(run_id: str, values: list[float], scorer: str = "recall", **kwargs: Any) -> RunReport:
    """One scorer, case i scored values[i]."""
    return report(run_id, {f"c{i:02d}": {scorer: score(v)} for i, v in enumerate(values)}, **kwargs)
