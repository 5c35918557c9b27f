"""The Markdown tables of `benchmarks/render_figures.py`, one function per figures file in `docs/figures/`.

Each takes a results envelope (`harness.benchmark_results`) and returns Markdown: only what is in the
envelope, formatted the same way every time, so that a rendered file changes exactly when a figure does.
Missing figures (null in the JSON) are shown as "n/a".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from harness.stats import wilson_ci

Env = dict[str, Any]
NA = "n/a"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; `|` inside a cell is escaped."""
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def num(value: Any, digits: int = 3) -> str:
    return NA if value is None else f"{value:.{digits}f}"


def pct(value: Any, digits: int = 1) -> str:
    return NA if value is None else f"{100 * value:.{digits}f}%"


def ms(seconds: Any, digits: int = 1) -> str:
    return NA if seconds is None else f"{seconds * 1000:.{digits}f} ms"


def secs(value: Any, digits: int = 2) -> str:
    return NA if value is None else f"{value:.{digits}f} s"


def _ci(low: Any, high: Any) -> str:
    return f"{pct(low)} to {pct(high)}"


def _short(dataset: str) -> str:
    return dataset.removeprefix("injected:").removeprefix("faithful:").replace(":", ", ")


# --- validity -------------------------------------------------------------------------------------------

def validity_summedits(env: Env) -> str:
    f = env["figures"]
    rows = []
    for scorer, metrics in f.get("scorers", {}).items():
        for m in metrics:
            if m["dataset"].startswith("injected:"):
                continue
            data = "all 3 domains" if m["dataset"] == "summedits" else m["dataset"]
            rows.append([f"`{scorer}`", data, f"{m['n']} ({m['n_inconsistent']})", num(m["threshold"]),
                         num(m["balanced_accuracy"]), num(m["precision"]), num(m["recall"]), num(m["roc_auc"]),
                         ms(m["median_seconds"])])
    title = (f"SummEdits `{f.get('report_split')}` split, cut (flag when value < cut) chosen on the "
             f"`{f.get('dev_split')}` split; positives = inconsistent summaries.\n\n")
    return title + table(["scorer", "data", "n (positives)", "cut", "balanced accuracy", "precision", "recall", "ROC AUC",
                          "median time a case"], rows)


def validity_defects(env: Env) -> str:
    f = env["figures"]
    summary = []
    for scorer, metrics in f.get("scorers", {}).items():
        for m in metrics:
            if m["dataset"].startswith("injected:"):
                summary.append([f"`{scorer}`", _short(m["dataset"]), f"{m['n']} ({m['n_inconsistent']})",
                                num(m["balanced_accuracy"]), num(m["precision"]), num(m["recall"]), num(m["roc_auc"]),
                                ms(m["median_seconds"])])
    out = ("Injected defects (`assure goldens perturb`, seed 0): references are negatives, outputs with a defect the "
           "scorer is meant to catch are positives; the decision is the scorer's own `passed`.\n\n")
    out += table(["scorer", "set", "n (positives)", "balanced accuracy", "precision", "recall", "ROC AUC",
                  "median time a case"], summary)
    per_kind = []
    for scorer, recalls in f.get("recall_by_defect", {}).items():
        cells = {(r["defect"], r["dataset"]): f"{r['caught']}/{r['injected']}, {r['found']}" for r in recalls}
        for defect in sorted({r["defect"] for r in recalls}):
            per_kind.append([f"`{scorer}`", defect.replace("_", " ")]
                            + [cells.get((defect, s), "") for s in ("injected:minutes", "injected:notes")])
    out += ("\nPer defect kind: caught (the case fails) / injected, found (a finding of any severity whose output span "
            "overlaps the edit).\n\n")
    out += table(["scorer", "defect", "minutes: caught/injected, found", "case notes: caught/injected, found"], per_kind)
    return out


def validity_false_alarms(env: Env) -> str:
    rows = []
    for scorer, alarms in env["figures"].get("false_alarms", {}).items():
        for a in alarms:
            kinds = ", ".join(f"{k} {v}" for k, v in a["by_kind"].items()) or "none"
            rows.append([f"`{scorer}`", _short(a["dataset"]), a["n"], a["failed"], num(a["false_alarm_rate"]),
                         num(a["critical_per_100"], 1), num(a["quoted_share"]) if a["failed"] else NA, kinds])
    return ("Faithful outputs (references, restyled references, the extractive baseline's outputs): every failed case "
            "is a false alarm.\n\n"
            + table(["scorer", "faithful outputs", "n", "failed", "false-alarm rate", "critical findings per 100",
                     "failed cases whose failing finding quotes the source", "findings (major or critical) by kind"], rows))


def validity_omission(env: Env) -> str:
    rows = []
    for r in env["figures"].get("key_fact_recall", []):
        rows.append([r["dataset"], r["n"], r["n_positive"], "status" if r["cut"] is None else num(r["cut"]),
                     num(r["accuracy"]), num(r["f1"]), num(r["kappa"]), num(r["roc_auc"]), num(r["recall"]),
                     num(r["false_alarm_rate"]), ms(r["median_seconds"])])
    if not rows:
        return "`key_fact_recall` was not measured in this run (the omission suite was not among `--suite`).\n"
    return ("`key_fact_recall`: REALSumm and Kirstein et al. (cut chosen on the dev documents or meetings, reported on "
            "eval); injected omissions in the bundled sets. Accuracy is balanced accuracy for Kirstein.\n\n"
            + table(["dataset", "n", "positives", "cut", "accuracy", "F1", "Cohen's kappa", "ROC AUC", "recall",
                     "false alarms", "median time a case"], rows))


# --- throughput, ROI timings ----------------------------------------------------------------------------

def throughput(env: Env) -> str:
    f = env["figures"]
    words = f["source_words"]
    rows = [["cases (safeguarding_minutes)", f["cases"]],
            ["transcript words (lengthened with other meetings' lines)", f"{words['min']}-{words['max']} (median {words['median']:g})"],
            ["minutes words", f["output_words"]],
            ["scorers, together per case", ", ".join(f"`{s}`" for s in f["scorers"])],
            ["cases per second, each run (every cache cleared between runs)", ", ".join(f"{r:.2f}" for r in f["cases_per_second"])],
            [f"**cases per second, median of {f['runs']} runs**", f"**{f['median_cases_per_second']:.2f}**"],
            ["time a case, median", f"{f['median_ms_per_case']:.0f} ms"]]
    return table(["what", "figure"], rows)


def _range(run: dict[str, Any], key: str) -> str:
    r = run[key]
    return f"{r['min']:.2f} to {r['max']:.2f} s (median {r['median']:.2f})"


def roi_timings(env: Env) -> str:
    f = env["figures"]
    fresh, db, untracked, bad, own = f["fresh"], f["database_in_place"], f["no_track"], f["bad_submission"], f["in_process"]
    n = len(db["runs"])
    rows = [
        ["`assure roi roi/submissions/`, fresh data folder (creates the MLflow database)",
         f"{secs(fresh['cpu_s'])} CPU, {secs(fresh['wall_s'])} wall, peak memory {fresh['peak_mib']:.0f} MiB"],
        [f"the same with the MLflow database in place ({n} runs)",
         f"CPU {_range(db, 'cpu_s')}; wall {_range(db, 'wall_s')}; peak memory {db['peak_mib']:.0f} MiB"],
        [f"the same with `--no-track` ({len(untracked['runs'])} runs)",
         f"CPU {_range(untracked, 'cpu_s')}; wall {_range(untracked, 'wall_s')}"],
        [f"a bad submission (exit {', '.join(map(str, bad['exits']))}; MLflow "
         f"{'opened' if bad.get('mlflow_opened') else 'not opened'}; {len(bad['runs'])} runs)",
         f"CPU {_range(bad, 'cpu_s')}; wall {_range(bad, 'wall_s')}"],
        [f"the appraisal itself, in process ({own['councils']} councils, after imports; median)", secs(own["appraisal_s"], 3)],
        [f"Monte Carlo of {own['draws']:,} draws, per submission (median)", f"{own['monte_carlo_ms_median']:.1f} ms"],
        ["the sensitivity table, per submission (median)", f"{own['sensitivity_ms_median']:.1f} ms"],
    ]
    return table(["what", "figure"], rows)


# --- gate calibration -----------------------------------------------------------------------------------

def _rate(r: dict[str, Any]) -> str:
    return f"{pct(r['rate'])} ({r['k']}/{r['n']}; 95% CI {_ci(*r['ci'])})"


def gate_calibration(env: Env) -> str:
    f = env["figures"]
    d = f["defaults"]
    by_scorer = ", ".join(f"{k} {v}" for k, v in d.get("max_new_critical_by_scorer", {}).items())
    out = (f"`assure gate` on {f['golden_set']} ({f['cases']} cases, {f['pool_per_case']:g} faithful outputs per case), "
           f"shipped defaults: max_regression {d['max_regression']:g}, max_new_critical {d['max_new_critical']:g}"
           f"{f' ({by_scorer})' if by_scorer else ''}, alpha {d['alpha']:g}.\n\n")
    targets = {"same_tool": "at most 5%", "recall_drop": "at least 80%", "critical_hallucinations": "at least 80%"}
    scenarios = list(f["scenarios"].values())
    if f.get("same_style"):
        scenarios.insert(1, {**f["same_style"], "scenario": "same_style"})
    rows = []
    for s in scenarios:
        goal = targets.get(s["scenario"], "at most 5%")
        rate = s["gate_failed"]["rate"]
        met = (rate <= 0.05) if goal.startswith("at most") else (rate >= 0.80)
        rows.append([s["title"], s["simulations"], _rate(s["gate_failed"]), pct(s["by_check"]["regression"]["rate"]),
                     pct(s["by_check"]["new critical findings"]["rate"]), f"{goal}: {'met' if met else '**not met**'}"])
    out += table(["scenario", "pairs", "the gate fails", "regression check failed", "new-critical rule failed", "target"], rows)
    caught, made = f.get("hallucinations_caught", {}), f.get("hallucination_variants", {})
    out += "\n" + table(["injected critical hallucination", "pool outputs given a critical finding the clean one lacked"],
                        [[k.replace("_", " "), f"{caught.get(k, 0)}/{v}"] for k, v in sorted(made.items())]
                        + [["**all**", f"**{sum(caught.values())}/{sum(made.values())}**"]])
    exceeds = f["scenarios"]["same_tool"]["new_critical_exceeds"]
    levels = sorted({int(m) for row in exceeds.values() for m in row})
    moved = [[f"`{scorer}`", *(pct(row[str(m)] if str(m) in row else row.get(m)) for m in levels)]
             for scorer, row in exceeds.items() if any(row.values())]
    if moved:
        out += ("\nSame-tool pairs with more than m new critical findings (a max_new_critical of m fails them), "
                "scorers with any:\n\n" + table(["scorer", *(f"> {m}" for m in levels)], moved))
    trade = [[r["key_fact_recall"], r["others"], pct(r["same_tool"]), pct(r["recall_drop"]), pct(r["critical_hallucinations"])]
             for r in f.get("per_scorer_tradeoff", [])]
    if trade:
        out += (f"\nThe same pairs under other allowances (max_regression {d['max_regression']:g}):\n\n"
                + table(["key_fact_recall max_new_critical", "other scorers' max_new_critical", "false failures",
                         "power: recall drop", "power: hallucinations"], trade))
    fall = f.get("pool_recall_fall")
    out += (f"\nkey_fact_recall fall planted: {num(fall)} per output on average ({num(f.get('pool_facts_removed'), 1)} key "
            f"facts removed, {f.get('omission_variants')} variants). Scoring the pools took {f['pool_seconds']:.0f} s, "
            f"the simulated gate runs {f['simulation_seconds']:.0f} s ({f['gate_seconds_per_pair'] * 1000:.0f} ms a decision).\n")
    return out


# --- bias calibration -----------------------------------------------------------------------------------

def bias_calibration(env: Env) -> str:
    m = env["figures"]["measure_level"]
    runs = m["runs"]
    any_k = round(m["fpr_any_characteristic"] * runs)
    low, high = wilson_ci(any_k, runs)
    verdicts = runs * len(m["fpr_by_characteristic"])
    rows = [["fair runs with **any** characteristic flagged (family-wise rate; target at most 5%)",
             f"**{pct(m['fpr_any_characteristic'])}** ({any_k} of {runs}; 95% CI {_ci(low, high)})"],
            ["share of characteristic verdicts that say \"disparity found\"",
             f"{pct(m['fpr_pooled'], 2)} ({verdicts} verdicts; 95% CI {pct(m['fpr_pooled_ci95'][0], 2)} to "
             f"{pct(m['fpr_pooled_ci95'][1], 2)})"]]
    rows += [[f"fair runs flagging {c}", pct(v)] for c, v in m["fpr_by_characteristic"].items()]
    out = (f"Measure level: {runs} fair runs, {m['n_scenarios']} scenarios, rho {m['rho']:g}, planted change: "
           f"{m['plant']} ({pct(m['rate'], 0)} of the group's cases), {m['resamples']:,} permutations a test.\n\n")
    out += table(["fair tool", "figure"], rows)
    plants = list(m["power"])
    keys = list(dict.fromkeys(k for p in plants for k in m["power"][p]))
    names = {"drops_views": "views dropped", "pejorative": "pejorative words added"}
    power_runs = env.get("settings", {}).get("power_runs", runs)
    out += (f"\nPower (share of {power_runs} planted runs per characteristic whose planted characteristic is flagged; "
            f"the other characteristics simulated fair in each):\n\n")
    out += table(["characteristic: planted group", *(names.get(p, p) for p in plants)],
                 [[k.replace(":", ": ").replace("_", " "), *(num(m["power"][p].get(k), 3) for p in plants)] for k in keys])
    text = env["figures"].get("text_level")
    if text:
        out += (f"\nText level ({text['runs']} run(s) per tool, {text['cases']} cases, real scorers):\n\n"
                + table(["tool", "planted", "flagged"], [[o["tool"], o["planted"] or "", ", ".join(o["flagged"]) or "nothing"]
                                                        for o in text["outcomes"]]))
    return out


# --- dashboard load -------------------------------------------------------------------------------------

def dashboard_load(env: Env) -> str:
    f = env["figures"]
    store, repeats = f["store"], f["repeats"]
    out = (f"A store of {store['runs']} evaluation runs of {store['cases_per_run']} cases ({store['tools']} tools x "
           f"{store['versions']} versions) and {store['appraisals']} ROI appraisals, reports downloaded from MLflow's "
           f"artifact store; headless Chromium; from navigation (or the click) to the last DOM change with the page's "
           f"chart or table drawn and no request in flight.\n\n")
    rows = []
    for page, r in f["pages"].items():
        filt = NA if not r["filter_s"] else secs(r["filter_median_s"])
        rows.append([page, secs(r["cold_s"]), secs(r["warm_median_s"]), filt])
    out += table(["page", "first load, fresh server", f"load, median of {repeats}", f"filter change, median of {repeats}"], rows)
    p = f.get("profile")
    if p:
        out += (f"\nIn process: listing {p['listed_runs']} runs takes {secs(p['search_median_s'])}; one report load "
                f"{p['report_load_median_s'] * 1000:.0f} ms and its summary {p['summarise_run_median_s'] * 1000:.0f} ms; "
                f"the scorecard shows {p['tool_versions_on_the_set']} tool versions (a cold scorecard needs about "
                f"{p['scorecard_cold_estimate_s']:.1f} s of server time).\n")
    build = store.get("build_seconds")
    if build:
        out += (f"\nBuilding the store took {sum(build.values()):.0f} s (the real evaluation run {build['real_run']:.0f} s, "
                f"the copies {build['copies']:.0f} s, the appraisals {build['appraisals']:.0f} s).\n")
    over = [page for page, r in f["pages"].items() if (r["warm_median_s"] or 1e9) >= 2.0]
    verdict = ("no page measured" if not f["pages"] else "met on every page" if not over else f"**not met** on {', '.join(over)}")
    out += f"\nTarget (median under 2 s per page): {verdict}.\n"
    return out


# --- judges side by side (benchmarks/judge_cost.py) -----------------------------------------------------

def judge_cost(env: Env) -> str:
    f = env["figures"]
    words = f.get("long_case_words") or {}
    cost = [[f"`{r['judge']}`" if " " not in r["judge"] else r["judge"], r["llm_calls"], f"{r['prompt_tokens']:,}",
             f"{r['completion_tokens']:,}", secs(r["seconds"], 0), pct(r["invalid_json_share"], 0),
             "judge error" if r.get("judge_error") else num(r["value"])] for r in f.get("long_case", [])]
    out = (f"Model: {f['model']}, SHA-256 `{f['model_sha256'][:12]}…`; server ready in {f['server_start_s']} s.\n\n"
           f"One long case ({words.get('case', 'n/a')}: a {words.get('source', 'n/a')}-word transcript, "
           f"{words.get('output', 'n/a')}-word minutes):\n\n")
    out += table(["judge", "LLM calls", "prompt tokens", "completion tokens", "time", "invalid JSON replies", "value"], cost)
    sample = [[f"`{r['judge']}`", f"{r['n']} ({r['n_inconsistent']})", f"{num(r['balanced_accuracy'])} "
               f"({num(r['ci_low'], 2)} to {num(r['ci_high'], 2)})", num(r["roc_auc"]), r["judge_errors"], r["llm_calls"],
               f"{r['prompt_tokens'] + r['completion_tokens']:,}", pct(r["invalid_json_share"], 0),
               secs(r["median_seconds"], 1)] for r in f.get("summedits", [])]
    out += ("\nA balanced sample of the SummEdits `evaluation` split (each judge's own pass rule; judge errors "
            "left out of the figures):\n\n")
    return out + table(["judge", "n (inconsistent)", "balanced accuracy (95% CI)", "ROC AUC", "judge errors",
                        "LLM calls", "tokens", "invalid JSON replies", "median time an example"], sample)


def deep_judge(env: Env) -> str:
    f = env["figures"]
    head = ["data", "n (inconsistent)", "balanced accuracy", "precision", "recall", "ROC AUC"]

    def row(label: str, m: dict[str, Any]) -> list[Any]:
        return [label, f"{m['n']} ({m['positives']})", num(m["balanced_accuracy"]), num(m["precision"]), num(m["recall"]),
                num(m["roc_auc"])]
    rows = [row("SummEdits evaluation, all 3 domains" if k == "all" else f"SummEdits evaluation, {k}", m)
            for k, m in f["summedits"].items()]
    rows += [row(f"SummEdits evaluation, {k}, its domain left out of fitting", m)
             for k, m in f["summedits_domain_left_out"].items()]
    if "summedits_without_verdict" in f:
        rows.append(row("SummEdits evaluation, all 3 domains, the same fit without the instruction model",
                        f["summedits_without_verdict"]))
    out = table(head, rows)
    if "summedits_verdict_alone_auc" in f:
        out += (f"\nThe instruction model's signal alone (`unstated`, the least stated claim): ROC AUC "
                f"{num(f['summedits_verdict_alone_auc'])} on the evaluation split.\n")
    sets = f["injected"]["sets"]
    kinds = sorted({k for m in sets.values() for k in m["caught_by_defect"]})
    out += ("\nInjected defects (long outputs: the fast judge decides, the deep judge adds review findings), "
            "caught / injected:\n\n")
    out += table(["defect", *(_short(s) for s in sets)],
                 [[k, *(f"{m['caught']}/{m['injected']}" if (m := sets[s]["caught_by_defect"].get(k)) else "" for s in sets)]
                  for k in kinds]
                 + [["recall / precision", *(f"{num(sets[s]['recall'])} / {num(sets[s]['precision'])}" for s in sets)],
                    ["references passed", *(f"{sets[s]['references_passed']}/{sets[s]['references']}" for s in sets)],
                    ["review findings per reference", *(num(sets[s]["review_findings_on_references"] / max(1, sets[s]["references"]), 1)
                                                        for s in sets)]])
    speed = f["seconds_per_example"]
    claims = f["claims_per_example"]
    model = f["model"]
    weights = ", ".join(f"`{name}` {w:+.2f}" for name, w in zip(model["features"], model["coef"]))
    return out + (f"\nMedian time an example: SummEdits {secs(speed['summedits'])} ({claims['summedits']:g} claims; "
                  f"features on first sight, NLI and embeddings uncached), injected {secs(speed['injected'])} "
                  f"({claims['injected']:g} claims; the whole scorer, with NLI scores cached by an earlier run). "
                  + (f"A 3,000-word transcript with 400-word minutes: median {secs(b['median_seconds'], 1)} a case over "
                     f"{b['cases']} cases ({b['median_claims']:g} claims, {b['median_nli_pairs']:g} NLI pairs; fresh NLI "
                     "cache, the fast judge and embeddings included). " if (b := f.get("budget_3000_words")) else "")
                  + "Combiner weights on standardised "
                  f"features: {weights}; cut {model['cut']:.3f}.\n")


def deep_presence(env: Env) -> str:
    f = env["figures"]
    labels = {"fast": "fast judge (match value)", "verdict": "instruction model alone (P(YES))",
              "combined_every_fact_asked": "both combined, every fact asked",
              "combined": "deep judge as shipped (the fast judge settles the sure facts, the combiner the rest)"}
    labels = {k: v for k, v in labels.items() if k in f}
    rows = [[labels[k], f"{m['n']} ({m['positives']})", m["groups"], f"{m['cut']:.2f}",
             f"{num(m['kappa'])} ({num(m['kappa_95'][0])}-{num(m['kappa_95'][1])})", num(m["accuracy"]), num(m["f1"]),
             num(m["roc_auc"])] for k, m in ((k, f[k]) for k in labels)]
    model = f["model"]
    weights = ", ".join(f"`{name}` {w:+.2f}" for name, w in zip(model["features"], model["coef"]))
    return (table(["signal", "facts (present)", "summaries", "cut (from dev)", "Cohen's kappa (95% CI)", "accuracy", "F1",
                   "ROC AUC"], rows)
            + "\nREALSumm `eval` documents, a random sample of (document, system) summaries; cuts and weights from the "
              "`dev` documents only. "
            + (f"The instruction model: {secs(f['seconds_per_fact'], 2)} a REALSumm fact (median, the summary reused "
               "from the server's prompt cache). " if f.get("seconds_per_fact") is not None else "")
            + (f"As shipped, {pct(f['asked_share'], 0)} of the evaluation facts are asked (match value from "
               f"{model['settled_absent_below']:.2f} to below {model['settled_present_at']:.2f}; the fast judge settles "
               "the rest). " if "asked_share" in f else "")
            + (f"A 3,000-word transcript with 400-word minutes: median {secs(b['median_seconds'], 1)} a case over "
               f"{b['cases']} cases ({b['median_facts_asked']:g} key facts asked, "
               + (f"{secs(b['seconds_per_fact_asked'], 1)} a fact asked; " if "seconds_per_fact_asked" in b else "")
               + "fresh verdict cache, the fast match included). " if (b := f.get("budget_3000_words")) else "")
            + f"Combiner weights on standardised features: {weights}; cut {model['cut']:.2f}.\n")


def deep_heldout(env: Env) -> str:
    f = env["figures"]
    labels = {"fast_claims": "fast judge (`claim_support`)", "worst_support": "packaged NLI (least supported claim)",
              "unstated": "instruction model (least stated claim)", "combined": "deep judge's combiner (case probability)"}
    rows = [[labels[k], num(m["roc_auc"]), f"{num(m['low'])}-{num(m['high'])}"] for k, m in f["signals"].items()]
    return (f"Kirstein et al. 2024: {f['n']} meeting summaries ({f['positives']} labelled as hallucinating) by "
            f"{', '.join(f['generators'])}; never fitted on. Median {f['median_claims']:g} claims a summary.\n\n"
            + table(["signal", "ROC AUC", "95% interval"], rows))


def scaling(env: Env) -> str:
    f = env["figures"]
    rows = [[r["concurrency"], f"{r['cases']:,}", f"{r['seconds']:.1f}", f"{r['cases_per_second']:.1f}",
             f"{r['ideal_seconds']:.1f}", num(r["efficiency"]), num(r["whole_rounds_efficiency"])] for r in f["runs"]]
    out = (f"Tool latency {f['latency_s']:g} s; efficiency = ideal seconds (cases x latency / concurrency) over "
           "measured seconds.\n\n")
    out += table(["calls in flight", "cases", "seconds", "cases per second", "ideal seconds", "efficiency",
                  "against whole rounds"], rows)
    skipped = "; ".join(f"{s['cases']:,} cases at {s['concurrency']} ({s['ideal_seconds']:,.0f} s ideal)" for s in f.get("skipped", []))
    ray, memory = f.get("ray") or {}, f.get("memory") or {}
    if skipped:
        out += f"\nSkipped (ideal time too long for one run): {skipped}.\n"
    if memory:
        out += f"\nMemory: {memory['mib_per_1000_cases']:.1f} MiB per 1,000 cases (peak {memory['peak_mib']['10000']:.0f} MiB at 10,000).\n"
    if ray:
        out += (f"\nRay executor, {ray['cases']:,} cases at {ray['concurrency']} in flight: {ray['ray_seconds']:.1f} s against the "
                f"local {ray['local_seconds']:.1f} s; {ray['overhead_ms_per_case']:.2f} ms more a case after a "
                f"{ray['ray_worker_pool_start_seconds']:.1f} s worker start (a local cluster: {ray['cluster_start_seconds']:.1f} s once).\n")
    return out


TABLES: dict[str, Callable[[Env], str]] = {
    "scaling": scaling,
    "deep_judge": deep_judge, "deep_presence": deep_presence, "deep_heldout": deep_heldout,
    "judge_cost": judge_cost, "validity_judge": validity_summedits,
    "validity_summedits": validity_summedits, "validity_defects": validity_defects,
    "validity_false_alarms": validity_false_alarms, "validity_omission": validity_omission,
    "throughput": throughput, "roi_timings": roi_timings, "gate_calibration": gate_calibration,
    "bias_calibration": bias_calibration, "dashboard_load": dashboard_load,
}
