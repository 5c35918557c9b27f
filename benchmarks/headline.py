"""The README's headline table of measured validity, rendered from the benchmarks' results files.

`benchmarks/render_figures.py` writes it between the README's `<!-- figures:headline -->` and
`<!-- /figures:headline -->` markers (and `--check` fails when it is stale), so the front page's figures
are the benchmarks' own. Each row states its target and whether the measurement meets it.
"""

from __future__ import annotations

from typing import Any

if __package__:  # imported as benchmarks.headline (the tests)
    from .figure_tables import num
    from .figure_tables import table
else:  # imported by render_figures run as a script: this folder is on the path
    from figure_tables import num
    from figure_tables import table

Env = dict[str, Any]
START, END = "<!-- figures:headline -->", "<!-- /figures:headline -->"
SETS = {"minutes": "minutes", "notes": "case notes"}


def _rows(env: Env | None, scorer: str) -> dict[str, dict[str, Any]]:
    return {} if env is None else {m["dataset"]: m for m in env["figures"].get("scorers", {}).get(scorer, [])}


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _validity_rows(env: Env | None) -> list[tuple[str, str, str]]:
    if env is None:
        return [("scorer validity", "not yet measured: run `assure bench validity`", "")]
    out = []
    details = _rows(env, "unsupported_details")
    injected = [details.get(f"injected:{s}", {}) for s in SETS]
    out.append(("`unsupported_details` on injected detail defects (dates, doses, sums, times, names, invented actions and attendees)",
                " and ".join(f"recall {num(m.get('recall'))} at precision {num(m.get('precision'))} ({name})"
                             for m, name in zip(injected, SETS.values())),
                _met(all((m.get("recall") or 0) >= 0.95 and (m.get("precision") or 0) >= 0.9 for m in injected))))
    claims = [_rows(env, "claim_support").get(f"injected:{s}", {}) for s in SETS]
    out.append(("`claim_support` on all injected hallucinations (flips, wrong person, allegations too)",
                " and ".join(f"recall {num(m.get('recall'))} at precision {num(m.get('precision'))} ({name})"
                             for m, name in zip(claims, SETS.values())) + "; target recall 0.95 at precision 0.90",
                _met(all((m.get("recall") or 0) >= 0.95 and (m.get("precision") or 0) >= 0.9 for m in claims))))
    summedits = {s: m["balanced_accuracy"] for s in env["figures"].get("scorers", {})
                 if (m := _rows(env, s).get("summedits")) and m.get("balanced_accuracy") is not None}
    best = max(summedits, key=summedits.__getitem__) if summedits else None
    out.append(("agreement with human consistency labels (SummEdits evaluation split, balanced accuracy; target 0.70)",
                f"{num(summedits[best])} at best (`{best}`); GPT-4 reached 0.82, humans about 0.91" if best else "n/a",
                _met(best is not None and summedits[best] >= 0.70)))
    alarms = env["figures"].get("false_alarms", {})
    hallucination = []
    for scorer in ("unsupported_details", "claim_support"):
        rows = alarms.get(scorer, [])
        n, failed = sum(r["n"] for r in rows), sum(r["failed"] for r in rows)
        critical = sum((r["critical_per_100"] or 0) * r["n"] / 100 for r in rows)
        hallucination.append((scorer, n, failed, critical))
    out.append(("hallucination scorers on faithful text (references, restyled references in six other house styles, baseline outputs)",
                "; ".join(f"`{s}` fails {failed} of {n}, {critical:.0f} critical findings" for s, n, failed, critical in hallucination),
                _met(all(n and failed <= 0.05 * n and critical <= 0.01 * n for _, n, failed, critical in hallucination))))
    recall = {r["dataset"]: r for r in env["figures"].get("key_fact_recall", [])}
    omitted = [recall.get(f"injected omissions: {s}", {}) for s in SETS]
    out.append(("`key_fact_recall` on injected omissions of critical facts (target recall 0.98 with at most 5% of the references' critical facts flagged)",
                " and ".join(f"recall {num(m.get('recall'))}, {100 * (m.get('false_alarm_rate') or 0):.0f}% of the references' critical facts flagged ({name})"
                             for m, name in zip(omitted, SETS.values())),
                _met(all((m.get("recall") or 0) >= 0.98 and (m.get("false_alarm_rate") or 1) <= 0.05 for m in omitted))))
    restyled = [r for r in alarms.get("key_fact_recall", []) if r["dataset"].startswith("faithful:restyled:")]
    if restyled:
        n, failed = sum(r["n"] for r in restyled), sum(r["failed"] for r in restyled)
        critical = sum((r["critical_per_100"] or 0) * r["n"] / 100 for r in restyled)
        out.append(("`key_fact_recall` on restyled faithful references (target: at least 95% pass, at most 1 critical finding per 100)",
                    f"{n - failed} of {n} pass; {critical:.0f} critical findings ({100 * critical / n:.1f} per 100)",
                    _met(failed <= 0.05 * n and critical <= 0.01 * n)))
    return out


def _gate_row(env: Env | None) -> tuple[str, str, str]:
    if env is None:
        return ("the CI gate", "not yet measured: run `assure bench gate`", "")
    scenarios = env["figures"]["scenarios"]
    false_rate = scenarios["same_tool"]["gate_failed"]["rate"]
    power = scenarios["critical_hallucinations"]["gate_failed"]["rate"]
    return ("the CI gate: false failures on faithful rewordings / power against 3 critical hallucinations in 24 meetings (targets at most 5% / at least 80%)",
            f"{100 * false_rate:.1f}% / {100 * power:.2f}%", _met(false_rate <= 0.05 and power >= 0.8))


def _bias_rows(env: Env | None) -> list[tuple[str, str, str]]:
    if env is None:
        return [("bias suite calibration", "not yet measured: run `python -m suites.bias.calibration`", "")]
    level = env["figures"]["measure_level"]
    power = {k: v for kind in level["power"].values() for k, v in kind.items()}
    weakest = min(power.values()) if power else None
    two_group = sorted({k for k, v in power.items() if v < 0.8})
    return [("bias suite: simulated fair runs with any of the 7 characteristics flagged (target at most 5%)",
             f"{100 * level['fpr_any_characteristic']:.1f}% of {level['runs']} runs", _met(level["fpr_any_characteristic"] <= 0.05)),
            ("bias suite: power against a tool that drops views or adds pejorative words in 30% of one group's cases "
             f"({level['n_scenarios']} scenarios; target as before, 0.8 or more)",
             f"{min(power.values()):.2f} to {max(power.values()):.2f}; below 0.8 for {', '.join(two_group)}" if two_group
             else f"{weakest:.2f} or more", _met(not two_group))]


def _throughput_row(env: Env | None) -> tuple[str, str, str]:
    if env is None:
        return ("hallucination suite throughput", "not yet measured: run `python benchmarks/throughput.py`", "")
    f = env["figures"]
    load = (env.get("machine") or {}).get("load_average") or [None]
    return ("hallucination suite throughput, 3,000-word transcripts (target at least 5 cases a second)",
            f"{f['median_cases_per_second']:.2f} cases a second (load average {load[0]:.2f} at start)" if load[0] is not None
            else f"{f['median_cases_per_second']:.2f} cases a second", _met(f["median_cases_per_second"] >= 5))


def _deep_rows(env: Env | None) -> list[tuple[str, str, str]]:
    """The deep judge's SummEdits figure (`--judge deep`), when it has been measured."""
    if env is None:
        return []
    m = env["figures"]["summedits"]["all"]
    held = [r["balanced_accuracy"] for r in env["figures"]["summedits_domain_left_out"].values()]
    reads = "packaged NLI and a local instruction model" if "unstated" in env["figures"]["features"] else "packaged NLI"
    return [(f"the same, deep mode (`--judge deep`: {reads} per claim, a combiner fitted on the test split)",
             f"{num(m['balanced_accuracy'])} (ROC AUC {num(m['roc_auc'])}); {num(min(held))} to {num(max(held))} with "
             "each domain left out of fitting", _met(m["balanced_accuracy"] >= 0.70))]


def _presence_rows(env: Env | None) -> list[tuple[str, str, str]]:
    """The deep judge's REALSumm key-fact presence kappa, when it has been measured."""
    if env is None:
        return []
    deep, fast = env["figures"]["combined"], env["figures"]["fast"]
    return [("key-fact presence against REALSumm's human labels, deep mode (instruction model plus fast match; "
             "target kappa at least 0.65)",
             f"kappa {num(deep['kappa'])} (95% CI {num(deep['kappa_95'][0])}-{num(deep['kappa_95'][1])}; the fast judge "
             f"{num(fast['kappa'])} on the same {deep['n']} facts)", _met(deep["kappa"] >= 0.65))]


def headline(envs: dict[str, Env]) -> str:
    """The headline table (Markdown) from the results envelopes by benchmark name; missing ones say so."""
    rows = _validity_rows(envs.get("validity")) + _deep_rows(envs.get("deep_judge")) + _presence_rows(envs.get("deep_presence"))
    rows += [_gate_row(envs.get("gate_calibration"))]
    rows += _bias_rows(envs.get("bias_calibration")) + [_throughput_row(envs.get("throughput"))]
    commits = sorted({(e.get("commit") or "unknown")[:7] for e in envs.values()})
    return table(["what", "measured", "target"], rows) + f"\n_Rendered from `benchmarks/results/` (commits {', '.join(commits)}) by `benchmarks/render_figures.py`._\n"


def replace_block(text: str, block: str) -> str:
    """`text` with the part between the headline markers replaced by `block`; ValueError without the markers."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} block")
    return text[: start + len(START)] + "\n" + block + text[end:]
