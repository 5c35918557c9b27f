"""The deep judge's fitted figures, printed by `assure bench validity --judge deep` after its own measurement.

The deep judge's combiners are fitted and measured by two scripts (hours of model time in all, so not
rerun by every `bench validity`): `benchmarks/fit_deep.py` (hallucination: SummEdits per domain and with
each domain left out of fitting, injected defects per kind, references passed, the 3,000-word budget) and
`benchmarks/fit_presence.py` (key-fact presence against REALSumm). This prints what their results files
hold, each with the command, commit and date that produced it, or the command to run where one is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.benchmark_results import default_results_dir, read_results, results_path

FITS = {"deep_judge": "python benchmarks/fit_deep.py --per-domain 200 --injected-cases 12 --verdict",
        "deep_presence": "python benchmarks/fit_presence.py --dev-facts 500 --eval-facts 1000"}


def _num(value: Any) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


def _provenance(envelope: dict[str, Any]) -> str:
    return f"{envelope['command']} at commit {(envelope.get('commit') or 'unknown')[:7]}, {envelope['started_at'][:10]}"


def _row(table: Any, *cells: str) -> None:
    """Add a row of plain text: no markup and no emoji codes (":notes:" in "injected:notes: ..." stays text)."""
    from rich.text import Text

    table.add_row(*(Text(cell) for cell in cells))


def hallucination_table(envelope: dict[str, Any]) -> Any:
    from rich.table import Table

    f = envelope["figures"]
    table = Table("SummEdits evaluation split", "n (inconsistent)", "bal.acc", "AUC",
                  title=f"deep_support (fitted): {_provenance(envelope)}")
    for name, m in f["summedits"].items():
        _row(table, name, f"{m['n']} ({m['positives']})", _num(m["balanced_accuracy"]), _num(m["roc_auc"]))
    for name, m in f["summedits_domain_left_out"].items():
        _row(table, f"{name}, left out of fitting", f"{m['n']} ({m['positives']})", _num(m["balanced_accuracy"]),
             _num(m["roc_auc"]))
    for name, m in f["injected"]["sets"].items():
        kinds = ", ".join(f"{k} {v['caught']}/{v['injected']}" for k, v in sorted(m["caught_by_defect"].items()))
        _row(table, f"{name}: recall {_num(m['recall'])}, precision {_num(m['precision'])}, references passed "
             f"{m['references_passed']}/{m['references']}", kinds, "", "")
    return table


def presence_table(envelope: dict[str, Any]) -> Any:
    from rich.table import Table

    f = envelope["figures"]
    table = Table("REALSumm eval facts", "n (present)", "kappa (95% CI)", "AUC",
                  title=f"deep_key_fact_recall (fitted): {_provenance(envelope)}")
    for name in ("fast", "verdict", "combined_every_fact_asked", "combined"):
        if name not in f:
            continue
        m = f[name]
        _row(table, name, f"{m['n']} ({m['positives']})", f"{_num(m['kappa'])} ({_num(m['kappa_95'][0])}-"
             f"{_num(m['kappa_95'][1])})", _num(m["roc_auc"]))
    return table


def print_fitted(console: Any, folder: Path | None = None) -> None:
    """Print both fits' figures from `folder` (default: the results folder), or the command to run for each."""
    folder = folder or default_results_dir()
    for benchmark, render in (("deep_judge", hallucination_table), ("deep_presence", presence_table)):
        path = results_path(folder, benchmark)
        if path.is_file():
            console.print(render(read_results(path)))
        else:
            console.print(f"{benchmark}: not yet measured; run {FITS[benchmark]}", highlight=False)
