"""The documentation site builds strictly, and the README stays a short front door whose links work.

`mkdocs build --strict` fails on a broken link or anchor, a missing snippet (such as a figure under
docs/figures/ that a benchmark has not written), a page left out of the navigation, or a CLI reference
that could not be generated from the Typer app, so this test puts all of those into `make test`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_MAX_LINES = 250
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(site)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site


def test_the_site_builds_strictly(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
    assert (built_site / "suites" / "hallucination.html").is_file()


def test_the_cli_reference_is_generated_with_the_plugin_commands(built_site: Path) -> None:
    page = (built_site / "cli.html").read_text(encoding="utf-8")
    assert "<!-- cli-reference -->" not in page  # the marker was replaced
    for command in ("run", "compare", "gate", "validate", "demo", "dashboard", "roi", "bench-validity",
                    "bench-gate", "goldens-expand", "goldens-perturb"):
        assert f'id="assure-{command}"' in page, command
    assert "--report-json" in page


def test_the_built_site_fetches_nothing_from_elsewhere(built_site: Path) -> None:
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for host in ("fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "cdn.jsdelivr.net",
                     "googletagmanager.com", "google-analytics.com"):
            assert host not in html, f"{page.relative_to(built_site)} refers to {host}"


def test_every_page_starts_with_a_title_and_what_it_is_for() -> None:
    for page in sorted((REPO / "docs").rglob("*.md")):
        if "figures" in page.relative_to(REPO / "docs").parts:
            continue
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert lines[0].startswith("# "), f"{page}: the first line is not a title"
        assert not lines[1].startswith(("#", "```", "|", "-", "!!!", "--8<--", "<!--")), (
            f"{page}: the title is not followed by a paragraph saying what the page is for")


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; at most {README_MAX_LINES}"
    assert lines[0].startswith("# ")
    first = [line for line in lines[1:] if line.strip() and not line.startswith("```")][:2]
    assert first[0].startswith("make demo"), first
    assert first[1].startswith("make test"), first


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_every_relative_link_in_the_readme_resolves() -> None:
    text = README.read_text(encoding="utf-8")
    anchors = {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, flags=re.M)}
    targets = LINK.findall(text)
    assert targets, "no links found: the pattern is wrong"
    broken = []
    for target in targets:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        if not path:
            if anchor not in anchors:
                broken.append(target)
        elif not (README.parent / path).exists():
            broken.append(target)
    assert broken == []
