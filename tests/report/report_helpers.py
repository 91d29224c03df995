"""Helpers shared by the report tests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
GOLDEN = HERE.parent / "golden" / "report"
ARTIFACTS = HERE.parents[1] / "test-artifacts" / "report"

#: first CSV column names that carry a row id (ReportTable.row_id_name values)
ROW_ID_NAMES = ("outcome", "proposition_id", "theme", "code", "measure", "site", "service", "item", "pair", "participant", "memo_kind", "reason")


def expected_word_body(csv_text: str) -> list[list[str]]:
    """The body rows a Word table should have, from its CSV: a merged group row where the section changes."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_text)))
    head, body = rows[0], rows[1:]
    has_id = head[0] in ROW_ID_NAMES
    sec = head.index("section") if "section" in head[:2] else None
    lead = int(has_id) + int(sec is not None)
    out, last = [], object()
    for r in body:
        cells = r[lead:]
        if sec is not None and r[sec] != last:
            out.append([r[sec]] * len(cells))
            last = r[sec]
        out.append(cells)
    return out
