from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.goldens import Case
from harness.targets import TargetError, load_target
from harness.targets.baseline import summarise
from judge.text import split_sentences

CASE = Case(id="c1", task="case_note_summary", source="Mrs Hale is 84. She fell on 3 March. She lives alone. She wants to stay home.")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def generate(target_path: Path, case: Case = CASE) -> str:
    return asyncio.run(load_target(target_path).generate(case))


def test_recorded_jsonl_and_csv(tmp_path: Path) -> None:
    write(tmp_path, "out.jsonl", '{"case_id": "c1", "output": "She fell."}\n{"case_id": "zz", "output": "x"}\n')
    write(tmp_path, "out.csv", 'case_id,output\nc1,"She fell, at home."\n')
    jsonl = write(tmp_path, "a.yaml", "name: v\nkind: recorded\npath: out.jsonl\n")
    csv = write(tmp_path, "b.yaml", "name: v\nkind: recorded\npath: out.csv\n")
    assert generate(jsonl) == "She fell."
    assert generate(csv) == "She fell, at home."
    target = load_target(jsonl)
    assert target.unknown_case_ids([CASE]) == ["zz"]  # type: ignore[attr-defined]
    with pytest.raises(TargetError) as missing:
        asyncio.run(target.generate(Case(id="c2", task="t", source="s")))
    assert missing.value.kind == "missing"


def test_bad_vendor_rows_name_line_and_field(tmp_path: Path) -> None:
    write(tmp_path, "out.jsonl", '{"case_id": "c1", "output": "ok"}\n{"output": "no id"}\n{"case_id": "c1", "output": "dup"}\n{"case_id": "c3", "output": 5}\nnot json\n')
    config = write(tmp_path, "v.yaml", "name: v\nkind: recorded\npath: out.jsonl\n")
    with pytest.raises(InputError) as caught:
        load_target(config)
    lines = [str(p) for p in caught.value.problems]
    out = str(tmp_path / "out.jsonl")
    assert lines == [f"{out}:5: not valid JSON: Expecting value", f"{out}:2: case_id: missing or empty",
                     f"{out}:3: case_id: duplicate case_id 'c1' (first on line 1)", f"{out}:4: output: must be text, got int"]


def test_csv_without_output_column(tmp_path: Path) -> None:
    write(tmp_path, "out.csv", "case_id,summary\nc1,x\n")
    with pytest.raises(InputError, match="lacks column"):
        load_target(write(tmp_path, "v.yaml", "name: v\nkind: recorded\npath: out.csv\n"))


def test_config_errors_point_at_the_yaml_line(tmp_path: Path) -> None:
    bad_kind = write(tmp_path, "k.yaml", "name: t\nversion: 1\nkind: telepathy\n")
    with pytest.raises(InputError) as caught:
        load_target(bad_kind)
    assert str(caught.value).startswith(f"{bad_kind}:3: kind: must be one of recorded, openai")
    unknown_key = write(tmp_path, "u.yaml", "name: t\nkind: http\nurl: http://127.0.0.1:1/x\nretries: 4\n")
    with pytest.raises(InputError) as caught:
        load_target(unknown_key)
    assert str(caught.value) == f"{unknown_key}:4: retries: Extra inputs are not permitted"


def test_openai_key_env_must_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "prompt.txt", "Summarise:\n{source}")
    config = write(tmp_path, "o.yaml", "name: t\nkind: openai\nbase_url: http://127.0.0.1:9/v1\nmodel: m\nprompt_template: prompt.txt\napi_key_env: ASSURE_TEST_KEY\n")
    monkeypatch.delenv("ASSURE_TEST_KEY", raising=False)
    with pytest.raises(InputError, match="ASSURE_TEST_KEY"):
        load_target(config)
    monkeypatch.setenv("ASSURE_TEST_KEY", "secret-value")
    target = load_target(config)
    assert "secret-value" not in target.config.model_dump_json()


def test_command_target_uses_stdin_and_stdout(tmp_path: Path) -> None:
    write(tmp_path, "tool.py", "import sys\nprint(sys.stdin.read().upper())\n")
    config = write(tmp_path, "c.yaml", f"name: t\nkind: command\ncommand: [{sys.executable!r}, tool.py]\n")
    assert generate(config).strip() == CASE.source.upper()
    write(tmp_path, "fail.py", "import sys\nsys.stderr.write('model crashed')\nsys.exit(3)\n")
    failing = write(tmp_path, "f.yaml", f"name: t\nkind: command\ncommand: [{sys.executable!r}, fail.py]\n")
    with pytest.raises(TargetError, match="exit code 3: model crashed"):
        generate(failing)


def test_python_target(tmp_path: Path) -> None:
    write(tmp_path, "vendor_tool.py", "def summarise(text):\n    return text.split('.')[0] + '.'\n\ndef broken(text):\n    return 42\n")
    assert generate(write(tmp_path, "p.yaml", "name: t\nkind: python\ncallable: vendor_tool:summarise\n")) == "Mrs Hale is 84."
    with pytest.raises(TargetError) as caught:
        generate(write(tmp_path, "q.yaml", "name: t\nkind: python\ncallable: vendor_tool:broken\n"))
    assert caught.value.kind == "garbage"
    with pytest.raises(InputError, match="cannot import"):
        load_target(write(tmp_path, "r.yaml", "name: t\nkind: python\ncallable: no_such_module:f\n"))


def test_baseline_copies_whole_sentences_in_order() -> None:
    text = " ".join(f"Sentence number {i} mentions topic {i % 3} and carer visits." for i in range(20))
    summary = summarise(text, sentences=5).splitlines()
    source_sentences = split_sentences(text)
    assert len(summary) == 5 and all(s in source_sentences for s in summary)
    assert [source_sentences.index(s) for s in summary] == sorted(source_sentences.index(s) for s in summary)
    assert summarise(text, algorithm="lead", sentences=2).splitlines() == source_sentences[:2]


def test_baseline_is_labelled(tmp_path: Path) -> None:
    target = load_target(write(tmp_path, "b.yaml", "name: textrank\nkind: baseline\n"))
    assert target.is_baseline and target.label == "textrank (baseline)"
