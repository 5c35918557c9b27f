"""MkDocs hook: the architecture page's room sizes and arrows, read from the code at build time.

`docs/architecture.md` holds the markers `<!-- house:rooms -->` and `<!-- house:arrows -->`; this hook
replaces them with `tools.house.rooms_table()` and `arrows_table()`, so the figures cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PAGE = "architecture.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tools.house import arrows_table, rooms_table

    return markdown.replace("<!-- house:rooms -->", rooms_table(REPO)).replace("<!-- house:arrows -->", arrows_table(REPO))
