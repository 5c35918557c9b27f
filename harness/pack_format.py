"""Text helpers for the procurement pack: escaping, number, p-value and label formats, and excerpts.

Every text that comes from a run passes through `_e` (`html.escape`) before it reaches the page;
`excerpt_html` cuts an escaped excerpt of about a given length around a passage and marks it.
"""

from __future__ import annotations

import html
import re

from .compare import RunSide
from .sentences import p_text


def excerpt_html(text: str, focus: str | None, limit: int) -> str:
    """An escaped excerpt of `text` of about `limit` characters, around `focus` (marked) when `text` holds it."""
    if focus:
        start, end = _locate(text, focus)
        if start is not None and end is not None:
            room = max(0, limit - (end - start)) // 2
            lo, hi = max(0, start - room), min(len(text), end + room)
            if end - start > limit:
                hi = start + limit
            return ((("… " if lo > 0 else "") + _e(text[lo:start])) + f"<mark>{_e(text[start:min(end, hi)])}</mark>"
                    + _e(text[min(end, hi):hi]) + (" …" if hi < len(text) else ""))
    return _e(text[:limit]) + (" …" if len(text) > limit else "")


def _locate(text: str, focus: str) -> tuple[int | None, int | None]:
    index = text.find(focus)
    if index >= 0:
        return index, index + len(focus)
    words = focus.split()
    if not words:
        return None, None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else (None, None)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _label(side: RunSide) -> str:
    version = str(side.version)
    return f"{side.label} v{version}" if version[:1].isdigit() else f"{side.label} {version}"


def _trim(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _f(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _p(value: float | None) -> str:
    return "n/a" if value is None else p_text(value).removeprefix("p = ").removeprefix("p ")


def _passed(value: bool | None) -> str:
    return "not judged" if value is None else ("passed" if value else "failed")


def _sev(severity: str) -> str:
    return severity if severity in ("critical", "major", "minor") else "other"

