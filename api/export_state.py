"""The state file of a corpus export (``export.json`` in the export's directory): written
whole or not at all, so a poll never reads half of it.

The export runs after the response while the ML team polls its status. Rewriting the file in
place let a poll open it between the truncation and the write and read it empty (2 errors in
134 polls). Now every write goes to a temporary file in the same directory, reaches the disk,
and is then ``os.replace``d over the old one, which POSIX makes atomic: a reader opens either
the old state or the new one, never a mix and never an empty file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

STATE_FILE = "export.json"


def write_state(directory: Path, state: Mapping[str, object]) -> None:
    """Replace the state of the export in `directory` by `state`, atomically."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{STATE_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(dict(state), out)
            out.flush()
            os.fsync(out.fileno())  # the new state is on disk before it takes the name
        os.replace(tmp, directory / STATE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_state(directory: Path) -> dict[str, object] | None:
    """The state of the export in `directory`; None when there is none (no such export)."""
    try:
        text = (directory / STATE_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    state = json.loads(text)
    if not isinstance(state, dict):
        raise ValueError(f"{directory / STATE_FILE} does not hold a JSON object")
    return state
