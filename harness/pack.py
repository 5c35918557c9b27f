"""The procurement pack: one self-contained HTML file a panel can file and print (`assure compare --html`).

It reads a `Comparison` (the paired statistics) and the runs' reports (for outputs, errors, warnings and
the golden set's path) and writes: the golden set and its content hash; each tool, its version, run id
and how its outputs were obtained; the scorecard; the significant differences in plain English (from
`harness.sentences`) with the Holm statement; an inline SVG chart; the cases that got worse with source
and output excerpts and the findings added; and the validity caveats measured for each scorer shown.

Nothing is fetched: no script, font, image, stylesheet or chart library comes from anywhere; the chart
is SVG drawn by assure itself. Every text that comes from a run (tool names, outputs, case ids, reasons,
golden-set ids) is untrusted vendor text and is escaped with `html.escape`; none of it goes into an attribute.

The sections come from their own modules: `harness.pack_summary` (what was compared, the significant
differences, the scorecard, the paired tests), `harness.pack_chart` (the SVG charts), `harness.pack_cases`
(the cases that got worse), `harness.pack_caveats` (the validity caveats) and `harness.pack_format`
(escaping and number formats). This module puts them into one page with its stylesheet and writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from .compare import Comparison
from .pack_cases import FINDINGS_PER_CASE, OUTPUT_EXCERPT, SOURCE_EXCERPT, WORST_CASES, _sources, _worst_cases
from .pack_caveats import CAVEATS, GENERAL_CAVEATS, _caveats
from .pack_chart import _chart_section, chart_svg
from .pack_format import _e, _label, excerpt_html
from .pack_summary import _pair_tables, _scorecard, _verdicts, _what_was_compared
from .runs import RunReport

_CSS = """
:root{--ink:#1a1a1a;--muted:#555;--rule:#bbb;--warn:#8a0000}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);line-height:1.4;
max-width:62rem;margin:1.5rem auto;padding:0 1rem;font-size:15px}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;border-bottom:2px solid var(--ink);margin-top:1.8rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid var(--rule);padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.hash{font-family:ui-monospace,Consolas,monospace;font-size:.85rem;word-break:break-all}
.notice{border:3px solid var(--warn);color:var(--warn);background:#fff3f3;padding:.6rem .8rem;font-weight:700;margin:1rem 0}
.muted{color:var(--muted);font-size:.88rem}
.verdicts li{margin:.35rem 0}
.case{border:1px solid var(--rule);padding:.5rem .8rem;margin:.8rem 0;break-inside:avoid;page-break-inside:avoid}
.excerpt{white-space:pre-wrap;font-family:ui-monospace,Consolas,monospace;font-size:.8rem;background:#f6f6f6;
border-left:3px solid var(--rule);padding:.35rem .5rem;margin:.25rem 0 .5rem}
mark{background:#ffe58a}
.sev-critical{color:var(--warn);font-weight:700}.sev-major{font-weight:700}
.caveats dt{font-weight:700;margin-top:.5rem}.caveats dd{margin-left:1rem}
svg{max-width:100%;height:auto}
svg text{font-family:system-ui,Arial,sans-serif;font-size:12px;fill:#1a1a1a}
footer{margin-top:2rem;border-top:1px solid var(--rule);padding-top:.5rem}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2{break-after:avoid;page-break-after:avoid}h3{break-after:avoid;page-break-after:avoid}
table,figure,.notice,.case{break-inside:avoid;page-break-inside:avoid}
tr{break-inside:avoid;page-break-inside:avoid}
th,.notice,.excerpt,mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.excerpt{font-size:7.5pt}
}
"""


def procurement_pack(comparison: Comparison, reports: Sequence[RunReport],
                     validity: Mapping[str, str] | None = None) -> str:
    """The pack as one self-contained HTML document. `validity` (scorer -> text) replaces `CAVEATS` entries."""
    by_id = {r.run_id: r for r in reports}
    cases = {r.run_id: {c["case_id"]: c for c in r.report.get("cases", [])} for r in reports}
    sources = _sources(reports)
    g = comparison.golden_set
    labels = " against ".join(_label(r) for r in comparison.runs)
    title = f"Procurement pack: {labels} on {g.get('id')} v{g.get('version')}"
    parts = [
        f"<header><p class=muted>assure procurement pack</p><h1>{_e(title)}</h1>",
        f"<p class=muted>Generated {_e(datetime.now(timezone.utc).strftime('%d %B %Y %H:%M UTC'))} by assure "
        f"{_e(_version())}. This file is self-contained: it needs no network and prints on A4.</p></header>",
    ]
    if comparison.notice:
        parts.append(f"<div class=notice role=alert>{_e(comparison.notice)}</div>")
    parts += [
        "<main>",
        _what_was_compared(comparison, by_id),
        _verdicts(comparison),
        _scorecard(comparison),
        _chart_section(comparison),
        _pair_tables(comparison),
        _worst_cases(comparison, cases, sources),
        _caveats(comparison, validity or {}),
        "</main>",
        f"<footer class=muted><p>{_e(comparison.correction)}; alpha {comparison.alpha:g}. Scores run from 0 to 1, 1 "
        "best. Means carry a bootstrap 95% confidence interval; pass rates a Wilson 95% interval; differences "
        "between tools are paired on the cases both runs scored.</p>"
        + (f"<p><b>{_e(comparison.notice)}</b></p>" if comparison.notice else "") + "</footer>",
    ]
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def write_pack(comparison: Comparison, reports: Sequence[RunReport], path: Path) -> None:
    """Write the procurement pack to `path` (UTF-8), making its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(procurement_pack(comparison, reports), encoding="utf-8")

def _version() -> str:
    from .version import __version__

    return __version__



__all__ = ["CAVEATS", "FINDINGS_PER_CASE", "GENERAL_CAVEATS", "OUTPUT_EXCERPT", "SOURCE_EXCERPT", "WORST_CASES",
           "chart_svg", "excerpt_html", "procurement_pack", "write_pack"]
