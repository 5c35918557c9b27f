"""The pack's charts: inline SVG bars of each run's mean or pass rate per scorer, with 95% CI whiskers.

Drawn here as plain SVG text (no chart library, nothing fetched); every run name and scorer in it
is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from .compare import Comparison, RunSide
from .pack_format import _e, _f, _label, _pct, _trim

_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#000000")


def _chart_section(comparison: Comparison) -> str:
    return ("<section><h2>4. Charts</h2><figure>" + chart_svg(comparison.runs, comparison.scorers, "mean")
            + "<figcaption class=muted>Mean score per scorer (0 to 1, 1 best); whiskers: the bootstrap 95% confidence "
            "interval.</figcaption></figure><figure>" + chart_svg(comparison.runs, comparison.scorers, "pass_rate")
            + "<figcaption class=muted>Share of cases passed per scorer; whiskers: the Wilson 95% confidence interval. "
            "Overlapping whiskers do not by themselves mean there is no difference: the paired tests in section 5 "
            "decide.</figcaption></figure></section>")


def chart_svg(runs: Sequence[RunSide], scorers: Sequence[str], metric: str = "mean") -> str:
    """Horizontal bars of each run's mean (or pass rate) per scorer with 95% CI whiskers, as inline SVG (text escaped)."""
    what = "Mean score" if metric == "mean" else "Pass rate"
    left, plot, right, bar, gap = 190, 440, 70, 16, 4
    width = left + plot + right
    legend_h = 22 * len(runs) + 8
    group_h = len(runs) * (bar + gap) + 22
    axis_top = legend_h + 6
    height = axis_top + 18 + group_h * len(scorers) + 10
    x = lambda v: left + plot * max(0.0, min(1.0, v))  # noqa: E731
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img"><title>{what} per scorer and tool, with 95% confidence intervals</title>']
    out.append(f'<text x="4" y="18" font-weight="bold">{what}</text>')
    for i, run in enumerate(runs):
        y = 6 + 22 * i
        out.append(f'<rect x="{left}" y="{y}" width="14" height="14" fill="{_COLOURS[i % len(_COLOURS)]}"/>'
                   f'<text x="{left + 20}" y="{y + 12}">{_e(_trim(_label(run), 70))}</text>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        tx = x(tick)
        tick_label = f"{tick:g}" if metric == "mean" else _pct(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{axis_top + 14}" x2="{tx:.1f}" y2="{height - 8}" stroke="#ddd"/>'
                   f'<text x="{tx:.1f}" y="{axis_top + 10}" text-anchor="middle">{tick_label}</text>')
    for k, scorer in enumerate(scorers):
        top = axis_top + 18 + k * group_h
        out.append(f'<text x="4" y="{top + 14}" font-weight="bold">{_e(_trim(scorer, 28))}</text>')
        for i, run in enumerate(runs):
            y = top + 20 + i * (bar + gap)
            s = run.scorers.get(scorer)
            value, (low, high) = (None, (None, None)) if s is None else (
                (s.mean, s.mean_ci) if metric == "mean" else (s.pass_rate, s.pass_ci))
            if value is None:
                out.append(f'<text x="{left + 4}" y="{y + 12}">not scored</text>')
                continue
            colour = _COLOURS[i % len(_COLOURS)]
            out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{_e(_trim(run.label, 26))}</text>'
                       f'<rect x="{left}" y="{y}" width="{x(value) - left:.1f}" height="{bar}" fill="{colour}"/>')
            if low is not None and high is not None:
                mid = y + bar / 2
                out.append(f'<path d="M{x(low):.1f} {mid:.1f}H{x(high):.1f}M{x(low):.1f} {y + 3}V{y + bar - 3}'
                           f'M{x(high):.1f} {y + 3}V{y + bar - 3}" stroke="#000" stroke-width="1.5" fill="none"/>')
            out.append(f'<text x="{left + plot + 6}" y="{y + 12}">{_f(value) if metric == "mean" else _pct(value)}</text>')
    out.append(f'<line x1="{left}" y1="{axis_top + 14}" x2="{left}" y2="{height - 8}" stroke="#000"/></svg>')
    return "".join(out)

