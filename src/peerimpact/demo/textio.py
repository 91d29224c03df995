"""Text of the demo's files: CSV and YAML, UTF-8 with LF line ends."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

import yaml


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows (header first) as CSV text; ``None`` becomes an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


class _NoAliases(yaml.SafeDumper):
    """Write repeated lists in full instead of as ``&id001`` anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def yaml_text(data: Any, comment: str = "", flow_leaves: bool = False) -> str:
    """``data`` as YAML after a ``# comment`` line (keys in insertion order, Unicode kept)."""
    body = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=None if flow_leaves else False)
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + body
