"""The procurement pack (`assure compare --html`): self-contained, escaped, and showing what a panel needs."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from harness.compare import Comparison, compare
from harness.evaluate import start_run
from harness.goldens import load_golden
from harness.pack import CAVEATS, GENERAL_CAVEATS, procurement_pack, write_pack
from harness.runs import RunReport
from harness.sentences import significant_statements

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "golden_sets" / "sample"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Comparison, list[RunReport]]]:
    """The real thing: the sample set run through the baseline and the demo vendor, hallucination suite."""
    folder = tmp_path_factory.mktemp("pack-runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSURE_HOME", str(folder / "home"))
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        uri = f"sqlite:///{folder}/m.db"
        records = [start_run(SAMPLE, REPO / "dashboards" / "demo_data" / name, ["hallucination"], tracking_uri=uri)
                   for name in ("baseline.yaml", "vendor_a.yaml")]
        reports = [RunReport(r.run_id, r.report) for r in records]
        yield compare(reports), reports


def _report(run_id: str, name: str, values: list[float], outputs: list[str] | None = None, golden_hash: str = "h" * 64,
            golden_id: str = "synthetic-set", path: str | None = None, reason: str = "a detail the source lacks") -> dict[str, Any]:
    """A run report shaped as harness.report.build_report writes it, without running anything."""
    cases = []
    for i, value in enumerate(values):
        passed = value >= 0.9
        findings = [] if passed else [{"kind": "unsupported_dose", "severity": "critical", "output_span": "25 mg",
                                       "source_evidence": "Source has: 5 mg", "reason": reason, "key_fact_id": None}]
        cases.append({"case_id": f"c-{i:02d}", "output": (outputs or [])[i] if outputs and i < len(outputs) else f"output {i} 25 mg",
                      "error": None, "scores": {"unsupported_details": {"value": value, "passed": passed, "findings": findings}}})
    mean = sum(values) / len(values)
    return {"run_id": run_id, "target": {"name": name, "version": "1.0", "kind": "recorded", "config_hash": "x",
                                         "baseline": False, "label": name},
            "golden_set": {"id": golden_id, "version": "1.0.0", "hash": golden_hash, "cases": len(values), "path": path},
            "harness_version": "test", "suites": [{"name": "hallucination", "version": "0"}],
            "metrics": {"unsupported_details": {"mean": mean, "ci_low": mean, "ci_high": mean,
                                                "pass_rate": sum(v >= 0.9 for v in values) / len(values),
                                                "n_scored": len(values), "n_unscored": 0}},
            "errors": 0, "warnings": [], "cases": cases}


def _network_references(page: str) -> list[str]:
    found = re.findall(r"""(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.I)
    found += re.findall(r"url\(", page, flags=re.I) + re.findall(r"@import", page, flags=re.I)
    found += re.findall(r"<script|<link|<iframe|<object|<embed", page, flags=re.I)
    found += re.findall(r"https?://", page, flags=re.I)
    return found


class _Balance(HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "rect", "line", "path", "circle"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def _assert_well_formed(page: str) -> set[str]:
    parser = _Balance()
    parser.feed(page)
    parser.close()
    assert not parser.problems, parser.problems[:5]
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser.seen


def test_the_pack_of_real_runs_is_self_contained_and_names_the_set_and_the_tools(real_runs: tuple[Comparison, list[RunReport]]) -> None:
    comparison, reports = real_runs
    page = procurement_pack(comparison, reports)
    assert _network_references(page) == []
    seen = _assert_well_formed(page)
    assert {"html", "head", "body", "main", "section", "table", "svg", "style"} <= seen
    assert "<script" not in page.lower()
    assert comparison.golden_set["hash"] in page and len(comparison.golden_set["hash"]) == 64
    for side in comparison.runs:
        assert html.escape(side.tool) in page and html.escape(side.run_id) in page and html.escape(side.obtained) in page
    assert "@media print" in page and "size:A4" in page
    assert "Holm" in page
    for scorer in comparison.scorers:
        assert html.escape(CAVEATS[scorer]) in page
    assert html.escape(GENERAL_CAVEATS[0]) in page
    assert len(page.encode("utf-8")) < 500_000


def test_the_worst_cases_show_the_golden_source_and_each_output(real_runs: tuple[Comparison, list[RunReport]]) -> None:
    comparison, reports = real_runs
    page = procurement_pack(comparison, reports)
    worse = comparison.pairs[0].worse_cases
    assert worse, "the demo vendor has planted defects, so some case got worse than the baseline"
    case_id = worse[0].case_id
    section = page[page.index("6. The cases that got worse"):page.index("7. Validity caveats")]
    assert f"Case {html.escape(case_id)}" in section
    source = load_golden(SAMPLE).case(case_id).source
    pieces = [html.escape(source[i:i + 50]) for i in range(0, max(1, len(source) - 50), 10)]
    assert "Source (golden case)" in section and any(p in section for p in pieces)
    vendor_output = next(c["output"] for c in reports[1].report["cases"] if c["case_id"] == case_id)
    assert html.escape(vendor_output[:40]) in section or "<mark>" in section
    assert "unavailable" not in section
    finding = worse[0].added[0]
    assert html.escape(finding.kind) in section and html.escape(finding.reason[:60]) in section


def test_the_source_is_said_to_be_unavailable_when_the_golden_set_has_changed_or_gone(
        real_runs: tuple[Comparison, list[RunReport]], tmp_path: Path) -> None:
    comparison, reports = real_runs
    moved = [RunReport(r.run_id, {**r.report, "golden_set": {**r.report["golden_set"], "path": str(tmp_path / "gone")}})
             for r in reports]
    assert "Source: unavailable" in procurement_pack(comparison, moved)
    changed = [RunReport(r.run_id, {**r.report, "golden_set": {**r.report["golden_set"], "hash": "0" * 64}}) for r in reports]
    assert "Source: unavailable" in procurement_pack(comparison, changed)


def test_significant_differences_are_stated_in_plain_english() -> None:
    a = RunReport("run-a", _report("tool-a", "tool-a", [1.0] * 14))
    b = RunReport("run-b", _report("tool-b", "tool-b", [0.5] * 12 + [1.0] * 2))
    comparison = compare([a, b])
    statements = significant_statements(comparison)
    assert statements
    page = procurement_pack(comparison, [a, b])
    section = page[page.index("2. Significant differences"):page.index("3. Scorecard")]
    for sentence in statements:
        assert html.escape(sentence) in section
    assert html.escape(comparison.correction) in section
    assert "Source: unavailable" in page  # the synthetic reports name no golden-set folder
    _assert_well_formed(page)


def test_no_difference_is_stated_as_absence_of_evidence() -> None:
    a = RunReport("run-a", _report("tool-a", "tool-a", [1.0, 0.95, 1.0]))
    b = RunReport("run-b", _report("tool-b", "tool-b", [1.0, 1.0, 0.95]))
    page = procurement_pack(compare([a, b]), [a, b])
    assert "No difference between the tools is significant" in page and "not proof they are equal" in page


def test_vendor_text_is_escaped_everywhere() -> None:
    evil = f"Minutes {XSS_SCRIPT} and {XSS_IMG} 25 mg"
    a = RunReport("run-<a>", _report("tool-a", "tool-a", [1.0] * 4, golden_id=f"set{XSS_SCRIPT}"))
    b = RunReport("run-b", _report("b", f"vendor {XSS_IMG}", [0.5] * 4, outputs=[evil] * 4, golden_id=f"set{XSS_SCRIPT}",
                                   reason=f"dose {XSS_SCRIPT} not in source"))
    b.report["cases"][0]["case_id"] = f"c-{XSS_IMG}"
    a.report["cases"][0]["case_id"] = f"c-{XSS_IMG}"
    b.report["warnings"] = [f"warning {XSS_SCRIPT}"]
    comparison = compare([a, b])
    page = procurement_pack(comparison, [a, b])
    assert "<script" not in page.lower() and "<img" not in page.lower() and "onerror=\"" not in page
    assert html.escape(XSS_SCRIPT) in page and html.escape(XSS_IMG) in page
    assert html.escape(f"vendor {XSS_IMG}") in page and html.escape("run-<a>") in page
    section = page[page.index("6. The cases that got worse"):]
    assert html.escape(evil[:30]) in section or html.escape(XSS_SCRIPT) in section
    assert _network_references(page) == []
    _assert_well_formed(page)


def test_runs_on_different_golden_sets_carry_the_notice_at_the_top() -> None:
    a = RunReport("run-a", _report("tool-a", "tool-a", [1.0] * 5, golden_hash="a" * 64))
    b = RunReport("run-b", _report("tool-b", "tool-b", [0.5] * 5, golden_hash="b" * 64))
    comparison = compare([a, b], allow_different_sets=True)
    assert comparison.notice
    page = procurement_pack(comparison, [a, b])
    notice = html.escape(comparison.notice)
    assert notice in page and page.index(notice) < page.index("<main>")
    assert page.count(notice) >= 2  # at the top and again at the foot of the last page


def test_write_pack_writes_one_utf8_file(tmp_path: Path) -> None:
    a = RunReport("run-a", _report("tool-a", "tool-a", [1.0] * 3))
    b = RunReport("run-b", _report("tool-b", "tool-b", [0.5] * 3, outputs=["Mrs Ŵ’s minutes — 25 mg"] * 3))
    path = tmp_path / "out" / "pack.html"
    write_pack(compare([a, b]), [a, b], path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "Mrs Ŵ’s minutes — <mark>25 mg</mark>" in text


def test_three_tools_give_every_pair_and_a_bar_per_tool() -> None:
    runs = [RunReport(f"run-{n}", _report(f"tool-{n}", f"tool-{n}", values))
            for n, values in (("a", [1.0] * 6), ("b", [0.5] * 6), ("c", [0.95] * 6))]
    comparison = compare(runs)
    page = procurement_pack(comparison, runs)
    assert len(comparison.pairs) == 3
    for pair in comparison.pairs:
        assert html.escape(f"{comparison.side(pair.run_b).label} against {comparison.side(pair.run_a).label}") in page
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert chart.count('height="16"') == 3 and all(f"tool-{n}" in chart for n in "abc")
    _assert_well_formed(page)


def test_an_excerpt_is_escaped_and_marks_the_passage_it_is_about() -> None:
    from harness.pack import excerpt_html

    text = "a" * 1000 + " the <b>dose</b>\n was 25 mg " + "z" * 1000
    out = excerpt_html(text, "the <b>dose</b> was 25 mg", 200)
    assert "<mark>the &lt;b&gt;dose&lt;/b&gt;\n was 25 mg</mark>" in out and out.startswith("… ") and out.endswith(" …")
    assert len(out) < 300
    assert excerpt_html("<i>short</i>", "absent", 100) == "&lt;i&gt;short&lt;/i&gt;"
