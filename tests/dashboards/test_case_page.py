"""The Case page: source and output side by side, findings marked at their offsets, vendor text kept as text."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.app import create_app
from dashboards.pages.case import MARK_PRIORITY, find_spans, highlight_segments, output_spans, source_spans
from harness.evaluate import start_run
from harness.goldens import load_golden
from harness.tracking import Tracker
from page_client import DEMO, SAMPLE, call, client, find, home, ids, nodes, render, text_of

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))")
XSS_OUTPUT = f"Mrs Hale was seen. {PAYLOADS[0]} Then {PAYLOADS[1]} and a link {PAYLOADS[2]}. She takes donepezil 99 mg."


# --- the pure offset and merge logic ---------------------------------------------------------------

CLASSES = st.sampled_from([*MARK_PRIORITY, "other"])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(st.text(alphabet="ab \n<>&é", max_size=40))
    bound = len(text) + 3  # spans may run past either end: they are clipped
    spans = draw(st.lists(st.tuples(st.integers(-3, bound), st.integers(-3, bound), CLASSES), max_size=8))
    return text, spans


def _rank(mark: str) -> tuple[int, str]:
    return (MARK_PRIORITY.index(mark) if mark in MARK_PRIORITY else len(MARK_PRIORITY), mark)


@given(text_and_spans())
def test_segments_join_back_to_the_text_exactly(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    assert "".join(piece for piece, _ in highlight_segments(text, spans)) == text


@given(text_and_spans())
def test_marked_characters_are_exactly_the_spans_found_with_the_most_severe_class(
        case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    expected: list[str | None] = []
    for i in range(len(text)):
        covering = [c for s, e, c in spans if s <= i < e]
        expected.append(min(covering, key=_rank) if covering else None)
    got = [mark for piece, mark in highlight_segments(text, spans) for _ in piece]
    assert got == expected


@given(text_and_spans())
def test_segments_do_not_overlap_and_neighbours_differ(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    segments = highlight_segments(text, spans)
    assert all(piece for piece, _ in segments), "no empty segment"
    assert all(a[1] != b[1] for a, b in zip(segments, segments[1:])), "touching segments of one class are merged"
    assert sum(len(piece) for piece, _ in segments) == len(text), "no character shown twice"


def test_overlapping_findings_show_their_text_once() -> None:
    text = "She takes donepezil 10 mg at night."
    spans = [(10, 25, "finding-major"), (20, 25, "finding-critical"), (20, 29, "finding-minor")]
    assert highlight_segments(text, spans) == [("She takes ", None), ("donepezil ", "finding-major"),
                                               ("10 mg", "finding-critical"), (" at ", "finding-minor"),
                                               ("night.", None)]


def test_find_spans_finds_every_occurrence_then_falls_back_to_loose_white_space_and_case() -> None:
    assert find_spans("25 mg then 25 mg", "25 mg") == [(0, 5), (11, 16)]
    assert find_spans("aaaa", "aa") == [(0, 2), (2, 4)]  # non-overlapping
    assert find_spans("Took the\n  Money back", "took the money") == [(0, 16)]
    assert find_spans("text", "") == [] and find_spans("text", "   ") == [] and find_spans("text", None) == []
    assert find_spans("text", "absent") == []


def test_output_marks_skip_key_fact_findings_and_source_marks_use_the_key_facts_evidence() -> None:
    golden = load_golden(SAMPLE)
    case = golden.cases[0]
    fact = case.key_facts[0]
    output = "He took 10 mg. Helen chaired."
    findings = [{"kind": "unsupported_dose", "severity": "critical", "output_span": "10 mg"},
                {"kind": "partial_key_fact", "severity": "minor", "output_span": "Helen chaired.", "key_fact_id": fact.id,
                 "source_evidence": "not in the source at all"},
                {"kind": "omitted_key_fact", "severity": "major", "output_span": None, "key_fact_id": "no-such-fact",
                 "source_evidence": case.source[5:40]},
                {"kind": "odd", "severity": "weird", "output_span": "chaired"}]
    spans, marked = output_spans(output, findings)
    assert spans == [(8, 13, "finding-critical"), (21, 28, "finding-minor")]  # unknown severity is shown as minor
    assert marked == [True, False, False, True]
    spans, marked = source_spans(case.source, findings, case)
    start = case.source.index(fact.evidence)
    assert spans == [(start, start + len(fact.evidence), "omitted"), (5, 40, "omitted")]
    assert marked == [False, True, True, False]
    assert source_spans(case.source, findings, None)[0] == [(5, 40, "omitted")]  # no golden case: the finding's quote


# --- the page, through the real app ----------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """vendor A on the sample set (hallucination and omission), and a hostile vendor on a copy of the set that is then deleted."""
    folder = tmp_path_factory.mktemp("case-page")
    with home(folder) as uri:
        vendor = start_run(SAMPLE, DEMO / "vendor_a.yaml", ["hallucination", "omission"], tracking_uri=uri)
        lines = [json.loads(line) for line in (DEMO / "vendor_a_outputs.jsonl").read_text(encoding="utf-8").splitlines()]
        lines[0]["output"] = XSS_OUTPUT
        (folder / "hostile.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        (folder / "hostile.yaml").write_text("name: hostile-tool\nversion: \"1.0\"\nkind: recorded\npath: hostile.jsonl\n",
                                             encoding="utf-8")
        copy = shutil.copytree(SAMPLE, folder / "sample-copy")
        hostile = start_run(copy, folder / "hostile.yaml", ["hallucination"], tracking_uri=uri)
        shutil.rmtree(copy)  # the golden set this run was scored on can no longer be read
        yield {"uri": uri, "vendor": vendor.run_id, "vendor_report": vendor.report, "hostile": hostile.run_id}


@pytest.fixture
def app(store: dict[str, Any]) -> Any:
    return create_app(Tracker(store["uri"]))


def marks(panel: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["props"]["className"], text_of(n)) for n in nodes(panel["props"]["children"]) if n["type"] == "Mark"]


def test_findings_are_marked_in_the_output_and_omitted_key_facts_in_the_source(app: Any, store: dict[str, Any]) -> None:
    tree = render(app, client(app), "/case", run=store["vendor"], case="sample-001")
    result = next(c for c in store["vendor_report"]["cases"] if c["case_id"] == "sample-001")
    golden = next(c for c in load_golden(SAMPLE).cases if c.id == "sample-001")
    output, source = find(tree, "case-output"), find(tree, "case-source")
    assert text_of(output) == result["output"] and text_of(source) == golden.source  # nothing lost, nothing doubled
    out_marks = marks(output)
    assert ("finding-critical", "10 mg") in out_marks and ("finding-critical", "24 February") in out_marks
    assert {c for c, _ in out_marks} <= {"finding-critical", "finding-major", "finding-minor"}
    findings = [f for s in result["scores"].values() for f in s["findings"]]
    omitted = {f["key_fact_id"] for f in findings if f["kind"] in ("omitted_key_fact", "partial_key_fact")}
    assert omitted, "the demo vendor omits key facts"
    src_marks = marks(source)
    assert src_marks and {c for c, _ in src_marks} == {"omitted"}
    facts = {k.id: k for k in golden.key_facts}
    marked_text = " ".join(t for _, t in src_marks)
    assert all(facts[i].evidence in marked_text for i in omitted)
    missed = text_of(find(tree, "case-missed"))
    assert all(facts[i].text in missed for i in omitted)
    table = find(tree, "case-findings")["props"]
    assert len(table["data"]) == len(findings) and table["export_format"] == "csv"
    assert [r["severity"] for r in table["data"]] == sorted((r["severity"] for r in table["data"]),
                                                            key=["critical", "major", "minor"].index)
    assert {"scorer", "severity", "kind", "reason", "output_span", "source_evidence"} <= {c["id"] for c in table["columns"]}
    assert find(tree, "case-run")["props"]["value"] == store["vendor"]
    assert find(tree, "case-case")["props"]["value"] == "sample-001"
    assert {o["value"] for o in find(tree, "case-case")["props"]["options"]} == {"sample-001", "sample-002", "sample-003"}


def test_vendor_markup_comes_back_as_text_and_an_unreadable_golden_set_still_shows_output_and_findings(
        app: Any, store: dict[str, Any]) -> None:
    tree = render(app, client(app), "/case", run=store["hostile"], case="sample-001")
    output = find(tree, "case-output")
    assert text_of(output) == XSS_OUTPUT
    strings = [s for s in _strings(output)]
    assert any(PAYLOADS[0] in s for s in strings) and any(PAYLOADS[1] in s for s in strings)
    assert any(PAYLOADS[2] in s for s in strings)
    types = {n["type"] for n in nodes(tree)}
    assert not types & {"Script", "Img", "Iframe", "Markdown", "A", "Object", "Embed"}, types
    assert "dangerously_allow_html" not in json.dumps(tree)
    assert ("finding-critical", "99 mg") in marks(output)
    assert "unavailable" in text_of(find(tree, "case-source-missing"))
    assert find(tree, "case-source")["props"].get("children") in (None, [])
    assert find(tree, "case-findings")["props"]["data"], "the findings are still listed"


def _strings(tree: Any) -> Iterator[str]:
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, list):
        for item in tree:
            yield from _strings(item)
    elif isinstance(tree, dict) and "props" in tree:
        yield from _strings(tree["props"].get("children"))


@pytest.mark.parametrize("query, sentence", [
    ({}, "Choose a run"), ({"run": "no-such-run"}, "no finished evaluation run"), ({"case": "sample-001"}, "Choose a run"),
])
def test_without_a_known_run_the_page_says_so(app: Any, query: dict[str, str], sentence: str) -> None:
    tree = render(app, client(app), "/case", **query)
    assert sentence in text_of(find(tree, "case-empty"))
    assert "page-error" not in json.dumps(tree) and "case-output" not in ids(tree)
    assert find(tree, "case-run")["props"]["options"], "a run can still be chosen"


def test_an_unknown_case_of_a_known_run_says_so(app: Any, store: dict[str, Any]) -> None:
    tree = render(app, client(app), "/case", run=store["vendor"], case="sample-404")
    assert "has no case 'sample-404'" in text_of(find(tree, "case-empty"))
    assert len(find(tree, "case-case")["props"]["options"]) == 3


def test_an_empty_store_says_so(tmp_path: Path) -> None:
    empty = create_app(Tracker(f"sqlite:///{tmp_path}/empty.db"))
    tree = render(empty, client(empty), "/case", run="x", case="y")
    assert "No evaluation runs" in text_of(find(tree, "case-empty"))


def _choose(app: Any, test_client: Any, run: str | None, case: str | None, current: dict[str, Any], changed: str) -> Any:
    _, response = call(app, test_client, {"case-run.value": run, "case-case.value": case}, {"case-current.data": current},
                       changed=changed)
    return None if response is None else response.get("go", {}).get("href")


def test_choosing_a_run_or_case_navigates_by_url(app: Any, store: dict[str, Any]) -> None:
    vendor, hostile = store["vendor"], store["hostile"]
    test_client = client(app)
    here = {"run": vendor, "case": "sample-002"}
    assert _choose(app, test_client, vendor, "sample-003", here, "case-case.value") == f"/case?run={vendor}&case=sample-003"
    # a new run keeps the case when it has it
    assert _choose(app, test_client, hostile, "sample-002", here, "case-run.value") == f"/case?run={hostile}&case=sample-002"
    # nothing changed: no navigation
    assert _choose(app, test_client, vendor, "sample-002", here, "case-case.value") is None
    # from the empty page: choosing a run opens its first case
    assert _choose(app, test_client, vendor, None, {"run": None, "case": None}, "case-run.value") == \
        f"/case?run={vendor}&case=sample-001"


def test_the_case_links_to_the_tools_roi_and_trend(app: Any, store: dict[str, Any]) -> None:
    tree = render(app, client(app), "/case", run=store["vendor"], case="sample-001")
    tool = store["vendor_report"]["target"]["name"]
    assert find(tree, "case-roi")["props"]["href"] == f"/roi?tool={tool}"
    assert find(tree, "case-trend")["props"]["href"] == f"/trend?tool={tool}"
