"""The blocks of a counterfactual golden set: per characteristic, scenario -> group -> case.

`designs` groups the cases by their golden-set metadata (`scenario`, `characteristic`, `group`,
`reference_group`) and puts the reporting reference group first: the most common reference group
across scenarios (ties: alphabetical first), so every scenario is compared the same way round.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from harness.goldens import Case


@dataclass
class Design:
    """One characteristic's blocks: scenario -> group -> case, with the reporting reference first."""

    characteristic: str
    groups: list[str]
    scenarios: list[str]
    cells: dict[str, dict[str, Case]]

    @property
    def reference(self) -> str:
        return self.groups[0]


def designs(cases: Sequence[Case]) -> list[Design]:
    """Group counterfactual cases by characteristic; cases without that metadata are ignored."""
    cells: dict[str, dict[str, dict[str, Case]]] = defaultdict(lambda: defaultdict(dict))
    order: dict[str, list[str]] = defaultdict(list)
    refs: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        meta = case.metadata
        if not all(meta.get(k) for k in ("scenario", "characteristic", "group", "reference_group")):
            continue
        c, s, g = str(meta["characteristic"]), str(meta["scenario"]), str(meta["group"])
        cells[c][s][g] = case
        if g not in order[c]:
            order[c].append(g)
        if meta.get("is_reference") or g == meta["reference_group"]:
            refs[c][str(meta["reference_group"])] += 1
    out = []
    for c in cells:
        if not refs[c]:
            continue
        top = max(refs[c].values())
        reference = sorted(g for g, n in refs[c].items() if n == top)[0]
        groups = [reference] + [g for g in order[c] if g != reference]
        if len(groups) < 2:
            continue
        out.append(Design(c, groups, sorted(cells[c]), {s: dict(v) for s, v in cells[c].items()}))
    return out
