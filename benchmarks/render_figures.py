"""Render the documentation's measured-figures tables from the benchmarks' results files.

    .venv/bin/python benchmarks/render_figures.py            # write docs/figures/*.md
    .venv/bin/python benchmarks/render_figures.py --check    # exit 1, naming each stale file

Every benchmark writes `benchmarks/results/<benchmark>.json` (`harness.benchmark_results`: its figures,
settings, command, commit and machine). This script writes the Markdown tables the documentation pages
include (pymdownx snippets) into `docs/figures/`, one or more files per benchmark, each ending with a
provenance line: the command, the commit, the date, the settings and the machine with its load average
when the benchmark started. A benchmark with no results file yet renders as a placeholder naming the
command to run. `--check` renders in memory and compares: a file that differs, is missing, or has no
benchmark behind it is stale (`tests/docs/test_figures.py` runs the same check). The README's headline
table (`benchmarks/headline.py`) is rendered and checked the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.benchmark_results import read_results

if __package__:  # imported as benchmarks.render_figures (the tests)
    from .figure_tables import TABLES
    from .headline import headline, replace_block
else:  # run as a script: its folder is on the path
    from figure_tables import TABLES
    from headline import headline, replace_block

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
FIGURES = REPO / "docs" / "figures"
README = REPO / "README.md"

# benchmark -> (the command that measures it, the figures files it renders)
BENCHMARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "validity": ("assure bench validity",
                 ("validity_summedits", "validity_defects", "validity_false_alarms", "validity_omission")),
    "throughput": ("python benchmarks/throughput.py", ("throughput",)),
    "bias_calibration": ("python -m suites.bias.calibration --runs 100 --power-runs 40 --fixed", ("bias_calibration",)),
    "roi_timings": ("python benchmarks/roi_timings.py", ("roi_timings",)),
    "gate_calibration": ("assure bench gate --simulations 400 --seed 0", ("gate_calibration",)),
    "dashboard_load": ("python benchmarks/dashboard_load.py --runs 500 --repeats 5", ("dashboard_load",)),
    "scaling": ("python benchmarks/scaling.py", ("scaling",)),
    "deep_judge": ("python benchmarks/fit_deep.py --per-domain 200 --injected-cases 12 --verdict", ("deep_judge",)),
    "deep_presence": ("python benchmarks/fit_presence.py --dev-facts 500 --eval-facts 1000", ("deep_presence",)),
    "deep_heldout": ("python benchmarks/heldout_deep.py --per-label 20", ("deep_heldout",)),
    "judge_cost": ("python benchmarks/judge_cost.py --model qwen2.5-coder-1.5b --per-domain 6", ("judge_cost",)),
    "validity-judge": ("assure bench validity --judge judge.yaml --sample 6", ("validity_judge",)),
}
FILES = {name: benchmark for benchmark, (_, names) in BENCHMARKS.items() for name in names}


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def provenance(env: dict[str, Any]) -> str:
    """One line: how, where and when the figures above were measured."""
    m = env.get("machine") or {}
    commit = f"`{(env.get('commit') or 'unknown')[:7]}`" + (" (with uncommitted changes)" if env.get("dirty") else "")
    load = m.get("load_average")
    machine = ", ".join(part for part in (
        f"{m['cpu_count']} CPUs" if m.get("cpu_count") else "",
        m.get("cpu_model") or "",
        f"{m['memory_gib']:g} GiB" if m.get("memory_gib") else "",
        f"Python {m['python']}" if m.get("python") else "",
        f"load average {load[0]:.2f} at start" if load else "") if part)
    settings = "; ".join(f"{k} {_setting(v)}" for k, v in (env.get("settings") or {}).items())
    date = str(env.get("started_at") or "")[:10]
    return (f"_Measured by `{env['command']}` at commit {commit} on {date} in {env['seconds']:.0f} s"
            f"{f' ({settings})' if settings else ''}; machine: {machine}._\n")


def placeholder(benchmark: str) -> str:
    return f"_Not yet measured: run `{BENCHMARKS[benchmark][0]}`._\n"


def render_envelope(env: dict[str, Any]) -> dict[str, str]:
    """The figures files of one results envelope: name (no .md) -> Markdown."""
    benchmark = env["benchmark"]
    if benchmark not in BENCHMARKS:
        raise ValueError(f"no figures files for benchmark {benchmark!r} (known: {', '.join(BENCHMARKS)})")
    line = provenance(env)
    return {name: TABLES[name](env) + "\n" + line for name in BENCHMARKS[benchmark][1]}


def render_all(results: Path = RESULTS) -> dict[str, str]:
    """Every figures file (file name -> Markdown) from the results in `results`; placeholders where none."""
    out: dict[str, str] = {}
    for benchmark, (_, names) in BENCHMARKS.items():
        path = results / f"{benchmark}.json"
        if path.is_file():
            env = read_results(path)
            if env["benchmark"] != benchmark:
                raise ValueError(f"{path}: holds benchmark {env['benchmark']!r}, not {benchmark!r}")
            out.update({f"{name}.md": text for name, text in render_envelope(env).items()})
        else:
            out.update({f"{name}.md": placeholder(benchmark) for name in names})
    unknown = sorted(p.name for p in results.glob("*.json") if p.stem not in BENCHMARKS) if results.is_dir() else []
    if unknown:
        raise ValueError(f"results files with no figures to render: {', '.join(unknown)}")
    return out


def render_readme(readme: Path, results: Path = RESULTS) -> str:
    """`readme`'s text with its headline block rendered from the results in `results`."""
    envs = {b: read_results(results / f"{b}.json") for b in BENCHMARKS if (results / f"{b}.json").is_file()}
    return replace_block(readme.read_text(encoding="utf-8"), headline(envs))


def stale(results: Path = RESULTS, figures: Path = FIGURES, readme: Path | None = None) -> list[str]:
    """Files of `figures` that do not match their rendering: differing, missing, or with no benchmark behind them;
    and `readme`, when given, if its headline block does not."""
    rendered = render_all(results)
    found = {p.name for p in figures.glob("*.md")} if figures.is_dir() else set()
    out = [name for name, text in rendered.items()
           if name not in found or (figures / name).read_text(encoding="utf-8") != text]
    if readme is not None and readme.read_text(encoding="utf-8") != render_readme(readme, results):
        out.append(readme.name)
    return sorted(out + [name for name in found if name not in rendered])


def write(results: Path = RESULTS, figures: Path = FIGURES, readme: Path | None = None) -> list[Path]:
    """Write every figures file (and `readme`'s headline block, when given); remove any figures file that no
    benchmark renders. The files written."""
    rendered = render_all(results)
    figures.mkdir(parents=True, exist_ok=True)
    for path in figures.glob("*.md"):
        if path.name not in rendered:
            print(f"removing {path}: no benchmark renders it")
            path.unlink()
    written = []
    for name, text in rendered.items():
        path = figures / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    if readme is not None and (text := render_readme(readme, results)) != readme.read_text(encoding="utf-8"):
        readme.write_text(text, encoding="utf-8")
        written.append(readme)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of the results JSON files")
    parser.add_argument("--figures", type=Path, default=FIGURES, help="folder of the Markdown figures")
    parser.add_argument("--readme", type=Path, default=None,
                        help="README whose headline block is rendered too (default: the repository's, with the default --results)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a figures file is stale")
    args = parser.parse_args(argv)
    readme = args.readme or (README if args.results == RESULTS else None)
    if args.check:
        out_of_date = stale(args.results, args.figures, readme)
        for name in out_of_date:
            print(f"stale: {readme if readme is not None and name == readme.name else args.figures / name}", file=sys.stderr)
        if out_of_date:
            print("run: python benchmarks/render_figures.py", file=sys.stderr)
            return 1
        print(f"{len(render_all(args.results))} figures files match their results")
        return 0
    written = write(args.results, args.figures, readme)
    print(f"wrote {len(written)} of {len(render_all(args.results))} figures files" + "".join(f"\n  {p}" for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
