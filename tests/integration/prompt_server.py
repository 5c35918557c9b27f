"""A STAND-IN for a real model: an OpenAI-compatible chat endpoint on loopback whose answer depends on the prompt.

    *** THIS IS NOT A LANGUAGE MODEL. ***
    It is a deterministic test double, so that a prompt change can be tested end to end offline
    and in seconds (no model can be downloaded or run fast enough here). A later issue replaces
    it with a real small local model served the same way; nothing in the harness needs to change
    for that, since both speak the OpenAI chat-completions protocol.

How it answers `POST /v1/chat/completions` (the last message's `content` is the prompt):

1. It finds which golden case the prompt carries, by looking for each case's `source` text in
   the prompt (the `openai` target puts the whole source in, in place of `{source}`).
2. If the prompt asks for a length in sentences ("in two sentences", "in 3 sentences"), it
   answers with that many sentences: the first sentences of the case's reference minutes that
   carry content (12 words or more; headings and short label lines such as "Case ref ..." are
   skipped). That is what a model told to be brief does: it keeps the gist and drops the detail.
3. Any other prompt (e.g. one asking for full minutes with attendees, views, capacity, risks,
   decisions and actions with owners and dates) gets the case's reference minutes in full: an
   honest stand-in for a good model following a good prompt, since the reference is what a good
   minute-taker wrote for that meeting.
4. A prompt that carries no known case source gets back its own text after the instructions
   (an extractive echo), so an unknown case is still answered, just not well.

Run it by hand for the example in examples/prompt_change/ (stop it with Ctrl-C):

    .venv/bin/python -m tests.integration.prompt_server --port 8765 --golden golden_sets/safeguarding_minutes
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness.goldens import Case, load_golden
from judge.text import is_heading, split_sentences
from tests.integration.loopback import LoopbackServer, QuietHandler, chat_completion, send_json

REPO = Path(__file__).resolve().parents[2]
DEFAULT_GOLDEN = REPO / "golden_sets" / "safeguarding_minutes"
MIN_WORDS = 12  # a "sentence" shorter than this is a label line ("Case ref FICT-2025-0311."), not a summary
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_LENGTH = re.compile(r"\b(?:in|to|within|using|of)\s+(?:no more than\s+|at most\s+|just\s+|only\s+)?"
                     r"(\d+|" + "|".join(NUMBERS) + r")\s+sentences?\b", re.I)


def sentence_limit(prompt_text: str) -> int | None:
    """How many sentences the prompt's instructions ask for, or None when they set no such limit."""
    match = _LENGTH.search(prompt_text)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else NUMBERS[word]


def first_sentences(reference: str, n: int) -> str:
    """The first `n` sentences of the reference that carry content (no headings or short label lines)."""
    kept = [s for s in split_sentences(reference) if not is_heading(s) and len(s.split()) >= MIN_WORDS]
    return " ".join(kept[:n])


class PromptAnswers:
    """The stand-in's whole behaviour, separate from HTTP so it can be read (and tested) on its own."""

    def __init__(self, golden_folders: Iterable[str | Path] = (DEFAULT_GOLDEN,)) -> None:
        self.cases: list[Case] = [case for folder in golden_folders for case in load_golden(folder).cases]

    def find_case(self, prompt: str) -> tuple[Case | None, str]:
        """(the case whose source the prompt carries, the prompt with that source cut out)."""
        for case in self.cases:
            at = prompt.find(case.source)
            if at >= 0:
                return case, prompt[:at] + prompt[at + len(case.source):]
        return None, prompt

    def answer(self, prompt: str) -> str:
        case, instructions = self.find_case(prompt)
        limit = sentence_limit(instructions)
        if case is None:
            body = instructions.split("\n\n", 1)[-1].strip() or instructions.strip()
            return body if limit is None else " ".join(split_sentences(body)[:limit])
        reference = case.reference or case.source
        return reference if limit is None else first_sentences(reference, limit)


def make_handler(answers: PromptAnswers, log: list[dict[str, object]], lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            if not self.path.rstrip("/").endswith("/chat/completions"):
                return send_json(self, 404, b'{"error": "only /v1/chat/completions is served"}')
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                prompt = str(body["messages"][-1]["content"])
            except (ValueError, KeyError, IndexError, TypeError):
                return send_json(self, 400, b'{"error": "expected an OpenAI chat-completions request"}')
            with lock:
                log.append(body)
            send_json(self, 200, chat_completion(str(body.get("model", "stand-in")), answers.answer(prompt)))

    return Handler


class PromptServer(LoopbackServer):
    """The stand-in on a free loopback port: `with PromptServer() as server: server.url` (ends in /v1)."""

    def __init__(self, golden_folders: Iterable[str | Path] = (DEFAULT_GOLDEN,)) -> None:
        self.answers = PromptAnswers(golden_folders)
        self.requests: list[dict[str, object]] = []
        super().__init__(make_handler(self.answers, self.requests, threading.Lock()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stand-in OpenAI-compatible model for examples/prompt_change (NOT a real model).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--golden", action="append", default=None, help="Golden-set folder whose cases it knows (repeatable).")
    args = parser.parse_args(argv)
    handler = make_handler(PromptAnswers(args.golden or [DEFAULT_GOLDEN]), [], threading.Lock())
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"stand-in model (not a real model) on http://127.0.0.1:{args.port}/v1; Ctrl-C stops it", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
