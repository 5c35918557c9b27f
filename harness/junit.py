"""JUnit XML of a gate verdict: one testcase per scorer (and for errored cases), one per regressed case.

CI systems (GitHub, GitLab, Jenkins, Azure DevOps) show these as test results. ElementTree escapes
every value, so vendor text cannot break the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .gate import Check, GateResult

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def gate_junit(result: GateResult) -> str:
    """The JUnit XML document (a string) for `result`."""
    by_scorer: dict[str | None, list[Check]] = {}
    for check in result.checks:
        by_scorer.setdefault(check.scorer, []).append(check)
    cases: list[ET.Element] = []
    for scorer, checks in by_scorer.items():
        case = ET.Element("testcase", classname="assure.gate", name=scorer or "run")
        failed = [c for c in checks if not c.passed]
        if failed:
            failure = ET.SubElement(case, "failure", message=_clean("; ".join(f"{c.name}: {c.message}" for c in failed)))
            failure.text = _clean("\n".join(f"{c.name}: {c.message}" for c in failed))
        ET.SubElement(case, "system-out").text = _clean("\n".join(f"{'PASS' if c.passed else 'FAIL'} {c.name}: {c.message}"
                                                                  for c in checks))
        cases.append(case)
    seen: set[tuple[str, str]] = set()
    for check in result.failures:
        for w in check.regressed_cases:
            if (w.case_id, w.scorer) in seen:
                continue
            seen.add((w.case_id, w.scorer))
            case = ET.Element("testcase", classname=f"assure.gate.{w.scorer}", name=w.case_id)
            summary = f"{w.scorer} {_v(w.value_a)} -> {_v(w.value_b)} ({check.name})"
            failure = ET.SubElement(case, "failure", message=_clean(summary))
            failure.text = _clean("\n".join([summary] + [f"{f.severity} {f.kind}: {f.reason}"
                                                         + (f"\n  source: {f.source_evidence}" if f.source_evidence else "")
                                                         for f in w.added]))
            cases.append(case)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    suite = ET.Element("testsuite", name="assure gate", tests=str(len(cases)), failures=str(failures), errors="0", skipped="0")
    suite.extend(cases)
    root = ET.Element("testsuites", name="assure", tests=str(len(cases)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_gate_junit(result: GateResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gate_junit(result), encoding="utf-8")


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: drop them."""
    return text.translate(_CONTROL)


def _v(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
