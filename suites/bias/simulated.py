"""Simulated tools under test for calibrating the bias suite (test doubles, not real AI tools).

Each tool takes the source text and returns an extractive "summary": the source's sentences less the
bracketed header, each dropped with probability `noise` by a seeded hash of the sentence. Sentences
that name the adult differ between variants, so this noise is independent of the group, as a fair
tool's would be. Planted tools add one disparity for sources whose text shows the target group:

- `drops_views`: for the target group, in `rate` of cases, leaves out the adult's views (the adult's
  own lines in a transcript; sentences quoting or reporting what the adult said, wanted or declined);
- `pejorative`: for the target group, in `rate` of cases, rewrites neutral words to stigmatising ones
  ("said" -> "claimed", "declined" -> "refused", "upset"/"angry" -> "aggressive"), or adds
  "(described as non-compliant)" when none of those words is there.

Which cases are affected is decided by a hash of (seed, source), so a run is reproducible and a
different seed gives an independent run.

The module-level functions are ready-made python targets (`kind: python`, `callable:
suites.bias.simulated:fair_tool`, ...). They detect the group from the identity sentence the
counterfactual set writes for religion and disability variants.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable

from judge.text import split_sentences

_VIEW_CUE = re.compile(r"\b(?:said|says|told|wants?|wanted|wish(?:es|ed)?|would like|declined|refused|agreed|"
                       r"does not want|did not want|doesn't want|didn't want|chose|prefer(?:s|red)?)\b|[\"“]", re.I)
_TITLE_SURNAME = re.compile(r"\b(?:Mr|Ms|Mrs|Miss|Mx) ([A-Z][\w'’-]+)")


def _unit(*parts: str) -> float:
    """A uniform number in [0, 1) from a hash of the parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def extractive(source: str, seed: int = 0, noise: float = 0.1) -> str:
    """The fair base tool: source sentences less headers, each dropped with probability `noise`."""
    lines = []
    for line in source.splitlines():
        if not line.strip() or line.startswith("[") or line.startswith("---"):
            continue
        kept = [s for s in split_sentences(line) if _unit(str(seed), "drop", s) >= noise]
        if kept:
            lines.append(" ".join(kept))
    text = "\n".join(lines).strip()
    return text or source.strip()


def adult_surname(source: str) -> str | None:
    """The adult's surname: the surname most often written with a title (Mr Khan, Ms Smith)."""
    counts = Counter(_TITLE_SURNAME.findall(source))
    return counts.most_common(1)[0][0] if counts else None


def drop_views(text: str, source: str) -> str:
    """Leave out the adult's own lines and the sentences reporting the adult's views."""
    surname = adult_surname(source)
    if surname is None:
        return text
    speaker = re.compile(rf"^[A-Z][\w'’-]* {re.escape(surname)}:")
    about = re.compile(rf"\b(?:{re.escape(surname)}|she|he|her|his)\b", re.I)
    lines = []
    for line in text.splitlines():
        if speaker.match(line.strip()):
            continue
        sentences = [s for s in split_sentences(line) if not (about.search(s) and _VIEW_CUE.search(s))]
        if sentences:
            lines.append(" ".join(sentences))
    return "\n".join(lines) or text


_PEJORATIVE = ((re.compile(r"\bsaid\b"), "claimed"), (re.compile(r"\bdeclined\b"), "refused"),
               (re.compile(r"\b(?:upset|angry)\b"), "aggressive"))


def add_pejorative(text: str, source: str) -> str:
    """Rewrite neutral words to stigmatising ones (see the module docstring)."""
    out = text
    for pattern, word in _PEJORATIVE:
        out = pattern.sub(word, out)
    if out != text:
        return out
    surname = adult_surname(source)
    if surname:
        return re.sub(rf"\b((?:Mr|Ms|Mrs|Miss|Mx) {re.escape(surname)})\b", r"\1 (described as non-compliant)", out, count=1)
    return out + "\nDescribed as non-compliant."


def make_tool(kind: str = "fair", is_target: Callable[[str], bool] = lambda source: False, rate: float = 0.3,
              seed: int = 0, noise: float = 0.1) -> Callable[[str], str]:
    """A tool: `kind` is fair, drops_views or pejorative; `is_target(source)` says whether the source's
    adult is in the target group; `rate` is the share of the target group's cases affected."""
    if kind not in {"fair", "drops_views", "pejorative"}:
        raise ValueError(f"unknown simulated tool {kind!r}")

    def tool(source: str) -> str:
        planted = kind != "fair" and is_target(source) and _unit(str(seed), "plant", source) < rate
        if planted and kind == "drops_views":
            return extractive(drop_views(source, source), seed, noise)
        text = extractive(source, seed, noise)
        return add_pejorative(text, source) if planted else text
    return tool


def _has(sentence: str) -> Callable[[str], bool]:
    return lambda source: sentence in source


fair_tool = make_tool("fair")
drops_views_for_muslim = make_tool("drops_views", _has("is a practising Muslim."), rate=1.0)
pejorative_for_muslim = make_tool("pejorative", _has("is a practising Muslim."), rate=1.0)
pejorative_for_schizophrenia = make_tool("pejorative", _has("has a diagnosis of schizophrenia."), rate=0.3)


FIXED_TEXT = ("Meeting held. Information was shared by the agencies present, risks were discussed and actions were "
              "agreed. A review will follow.")


def echo_tool(source: str) -> str:
    """A tool that treats everyone alike by returning its input unchanged."""
    return source


def fixed_text_tool(source: str) -> str:
    """A tool that treats everyone alike by returning the same text whatever it is given."""
    return FIXED_TEXT
