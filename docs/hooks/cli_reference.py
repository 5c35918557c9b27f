"""MkDocs hook: render the CLI reference page from the real Typer app, so it cannot drift from the code.

`docs/cli.md` holds the marker `<!-- cli-reference -->`; at build time this hook replaces it with one
section per `assure` command (plugin commands included: they are registered from the `assure.commands`
entry points, as `harness.cli.main()` does), each with its usage line, description, arguments and options.
If the app cannot be imported the build fails with the reason, rather than publish a stale page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

MARKER = "<!-- cli-reference -->"
PAGE = "cli.md"
REPO = Path(__file__).resolve().parents[2]


def _app_command() -> Any:
    """The `assure` command as the console script builds it: the core app plus every plugin command."""
    import typer.main

    from harness import cli
    from harness.plugins import load_commands

    if hasattr(cli, "build_app"):  # an app factory, if the CLI grows one
        return typer.main.get_command(cli.build_app())
    present = set(typer.main.get_command(cli.app).commands)
    registrars, broken = load_commands()
    for message in broken:
        raise PluginError(f"CLI reference: a command plugin failed to load: {message}")
    for name, register in registrars.items():
        if name not in present:  # the hook may run more than once in a process (mkdocs serve)
            register(cli.app)
    return typer.main.get_command(cli.app)


def _cell(text: str) -> str:
    # Defaults that are paths inside this checkout are shown relative to it, not as this machine's path.
    text = text.replace(f"{REPO}/", "")
    return " ".join(text.split()).replace("|", "\\|")


def _params_table(command: Any, ctx: Any) -> list[str]:
    rows: list[str] = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, help_text = record
        kind = "argument" if param.param_type_name == "argument" else "option"
        rows.append(f"| `{_cell(name)}` | {kind} | {_cell(help_text) or ' '} |")
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        rows.append("| `--help` | option | Show the command's help and exit. |")
    if not rows:
        return []
    return ["| name | kind | what it does |", "| --- | --- | --- |", *rows, ""]


def _render(command: Any, ctx: Any, path: str, depth: int) -> list[str]:
    lines: list[str] = []
    children = getattr(command, "commands", None)
    if depth > 0:
        heading = "#" * min(depth + 1, 6)
        lines += [f"{heading} `{path}`", ""]
        help_text = (command.help or "").strip()
        if help_text:
            lines += [help_text, ""]
        usage = command.get_usage(ctx).strip()
        lines += ["```text", usage, "```", ""]
        lines += _params_table(command, ctx)
    for name in sorted(children or {}):
        child = children[name]
        if getattr(child, "hidden", False):
            continue
        child_ctx = child.context_class(child, info_name=name, parent=ctx)
        lines += _render(child, child_ctx, f"{path} {name}", depth + 1)
    return lines


def cli_reference_markdown() -> str:
    try:
        root = _app_command()
    except PluginError:
        raise
    except Exception as exc:  # the CLI is being moved or is broken: fail loudly, never publish a stale page
        raise PluginError(f"CLI reference: could not build the assure Typer app: {type(exc).__name__}: {exc}") from exc
    ctx = root.context_class(root, info_name="assure")
    top = [
        "```text",
        root.get_usage(ctx).strip(),
        "```",
        "",
        (root.help or "").strip(),
        "",
        "| command | what it does |",
        "| --- | --- |",
    ]
    for name in sorted(root.commands):
        command = root.commands[name]
        if not getattr(command, "hidden", False):
            top.append(f"| [`assure {name}`](#assure-{name}) | {_cell(command.get_short_help_str(limit=200))} |")
    top.append("")
    return "\n".join(top + _render(root, ctx, "assure", 0))


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"CLI reference: {PAGE} has lost its marker {MARKER}")
    return markdown.replace(MARKER, cli_reference_markdown())
