"""Python targets for the end-to-end bias test: simulated tools (see suites.bias.simulated).

`pejorative_for_muslim_failing_once`: the fair extractive tool, rewritten with stigmatising words for
every Muslim variant, and raising (an errored case) on the Jewish variant of scenario cf-001.
"""

from __future__ import annotations

from suites.bias.simulated import fair_tool, pejorative_for_muslim

__all__ = ["fair_tool", "pejorative_for_muslim", "pejorative_for_muslim_failing_once"]


def pejorative_for_muslim_failing_once(source: str) -> str:
    if "is a practising Jew." in source and "Station Parade" in source:
        raise RuntimeError("simulated tool failure")
    return pejorative_for_muslim(source)
