"""Where the ROI package keeps its bundled files."""

from pathlib import Path

SUBMISSIONS = Path(__file__).parent / "submissions"
"""Bundled synthetic submissions for fictional councils (fed to `assure demo`)."""

SCHEMA_DIR = Path(__file__).parent / "schema"
"""Published JSON Schemas of the submission and of one staff-table row."""
