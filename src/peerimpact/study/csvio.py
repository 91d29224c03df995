"""Read a study CSV exactly as written: every cell a string, empty = ``""``.

Row numbers in problems are spreadsheet rows: the header is row 1, so the
DataFrame index ``i`` is row ``i + 2``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import Problem


def spreadsheet_row(index: int) -> int:
    return int(index) + 2


def read_raw_csv(path: Path, name: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read ``path`` as strings. Returns ``(frame, problems)``; frame is None when unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, None, None, f"cannot be read: {exc.strerror}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, "is not valid UTF-8 (save it as CSV UTF-8)")]
    if not text.strip():
        return None, [Problem(name, None, None, "is empty: a header row is required")]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, col in enumerate(header, start=1):
        if col == "":
            problems.append(Problem(name, 1, f"#{pos}", "header cell is empty"))
        elif col in seen:
            problems.append(Problem(name, 1, col, f"duplicate column (also column {seen[col]})"))
        else:
            seen[col] = pos
    body = rows[1:]
    # Drop fully blank trailing lines, which spreadsheets often add.
    while body and all(c.strip() == "" for c in body[-1]):
        body.pop()
    width = len(header)
    for i, r in enumerate(body):
        if len(r) != width and not (len(r) == 0):
            problems.append(
                Problem(name, i + 2, None, f"has {len(r)} cells but the header has {width}")
            )
    if problems:
        return None, problems
    norm = [[c.strip() for c in (r if r else [""] * width)] for r in body]
    frame = pd.DataFrame(norm, columns=header, dtype=object)
    return frame, []
