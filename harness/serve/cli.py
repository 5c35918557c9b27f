"""`assure serve-model`: serve a packaged local model over an OpenAI-compatible API, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import yaml

from ..console import console
from ..errors import InputError
from .models import MODELS, model_file
from .server import start

PROMPTS = Path(__file__).with_name("prompts")
DEFAULT_PROMPT = PROMPTS / "minutes_careful.txt"
SYSTEM_PROMPT = "You are a careful minute-taker. You summarise; you never copy a transcript."
GENERATION = {"temperature": 0, "seed": 0, "max_tokens": 700}


def target_yaml(base_url: str, model: str, prompt_file: str, params: dict[str, Any] | None = None) -> str:
    """An `openai` target for the served model: the tool under test, temperature 0, one call at a time
    (`params`: other generation parameters; GENERATION by default)."""
    sha256 = MODELS[model].sha256
    config = {
        "name": f"local-{model}", "version": f"sha256-{sha256[:12]}", "kind": "openai", "base_url": base_url,
        "model": model, "prompt_template": prompt_file, "system_prompt": SYSTEM_PROMPT,
        "params": dict(GENERATION if params is None else params),
        "timeout_s": 900, "max_retries": 1, "concurrency": 1,
        "description": f"{MODELS[model].title}, served locally by `assure serve-model` (llama.cpp); "
                       f"model file SHA-256 {sha256}; prompt {prompt_file}",
    }
    return "# Written by `assure serve-model --write-target`: the served model as a tool under test.\n" + \
        yaml.safe_dump(config, sort_keys=False)


def judge_yaml(base_url: str, model: str) -> str:
    """A judge configuration for the served model: deterministic, long replies allowed, patient timeouts."""
    config = {"base_url": base_url, "model": model, "params": {"temperature": 0, "seed": 0, "max_tokens": 2048},
              "timeout_s": 1800, "max_retries": 1, "parse_retries": 2}
    return (f"# Written by `assure serve-model --write-judge`: {MODELS[model].title} as an LLM judge.\n"
            "# Use with: assure run ... --suite llm_judges --judge THIS_FILE, or assure bench validity --judge THIS_FILE\n"
            + yaml.safe_dump(config, sort_keys=False))


def prompt_file(name_or_path: str | None) -> Path:
    """A prompt template: a file, or the name of a shipped one (`minutes_careful`, `minutes_poor`)."""
    if name_or_path is None:
        return DEFAULT_PROMPT
    shipped = PROMPTS / f"{name_or_path}.txt"
    path = shipped if shipped.is_file() else Path(name_or_path)
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in PROMPTS.glob("*.txt")))
        raise InputError.single(name_or_path, f"prompt template file not found (shipped ones: {names})", field="--prompt-template")
    return path


def write_target(path: Path, base_url: str, model: str, prompt: Path | None, params: dict[str, Any] | None = None) -> Path:
    """Write the target YAML and, beside it, the prompt template it reads (`<name>.prompt.txt`)."""
    text = (prompt or DEFAULT_PROMPT).read_text(encoding="utf-8")
    if "{source}" not in text:
        raise InputError.single(prompt or DEFAULT_PROMPT, "prompt template must contain {source}", field="--prompt-template")
    path.parent.mkdir(parents=True, exist_ok=True)
    prompt_copy = path.with_name(path.stem + ".prompt.txt")
    prompt_copy.write_text(text, encoding="utf-8")
    path.write_text(target_yaml(base_url, model, prompt_copy.name, params), encoding="utf-8")
    return path


def register(app: typer.Typer) -> None:
    """Add `assure serve-model` to the command line."""

    @app.command("serve-model")
    def serve_model(
        model: Annotated[str, typer.Option("--model", help=f"Short name: {', '.join(MODELS)}.")] = "smollm2-135m",
        host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8080,
        write_target_to: Annotated[Optional[Path], typer.Option(
            "--write-target", help="Write an `openai` target YAML for the served model here.")] = None,
        prompt_template: Annotated[Optional[str], typer.Option(
            "--prompt-template", help="User prompt for --write-target: a file ({source} is the case text) or a shipped "
                                      "one by name: minutes_careful (default), minutes_poor.")] = None,
        write_judge_to: Annotated[Optional[Path], typer.Option(
            "--write-judge", help="Write an LLM judge YAML for the served model here (for --judge).")] = None,
        threads: Annotated[Optional[int], typer.Option("--threads", min=1, help="CPU threads (default: all, at most 8).")] = None,
        context: Annotated[Optional[int], typer.Option("--context", min=512, help="Context window in tokens.")] = None,
    ) -> None:
        """Serve a packaged GGUF model on an OpenAI-compatible API (/v1/models, /v1/chat/completions)."""
        path = model_file(model)
        spec = MODELS[model]
        prompt = prompt_file(prompt_template)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server = start(path, model, host, port, threads, context or spec.context)
        console.print(f"serving {spec.title} as {model!r} (SHA-256 {spec.sha256[:16]}..., licence: {spec.licence})",
                      highlight=False)
        if write_target_to is not None:
            written = write_target(write_target_to, server.base_url, model, prompt)
            console.print(f"wrote target {written}", highlight=False)
        if write_judge_to is not None:
            write_judge_to.parent.mkdir(parents=True, exist_ok=True)
            write_judge_to.write_text(judge_yaml(server.base_url, model), encoding="utf-8")
            console.print(f"wrote judge configuration {write_judge_to}", highlight=False)
        console.print(f"ready in {server.started_in_s:.1f} s at {server.base_url}  (Ctrl-C to stop)", highlight=False)
        while not stop.wait(0.5):
            pass
        console.print("stopped", highlight=False)
