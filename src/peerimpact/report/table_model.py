"""One table, rendered three ways (HTML, Word, CSV) from the same cells.

A :class:`ReportTable` holds already-formatted cell text, so the HTML table,
the Word table and ``tables/<key>.csv`` cannot disagree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

#: The widest table shown whole: wider ones are shown in parts (:meth:`ReportTable.column_parts`) that fit an
#: A4 portrait page in report.html (Table 4 has 14 columns); report.docx shows the same parts.
MAX_COLUMNS = 14


@dataclass(frozen=True)
class ReportTable:
    """A formatted table.

    Attributes
    ----------
    key : str
        File stem of the CSV (``table3_outcomes_norms``) and the HTML anchor.
    title : str
        Caption text after ``Table N.``.
    columns : tuple of str
        Column headers.
    rows : tuple of tuple of str
        Cell text; a ``\\n`` separates paragraphs within a cell.
    notes : tuple of str
        Notes printed below the table (the first is prefixed ``Note.``).
    row_ids : tuple of str, optional
        A machine id per row (e.g. the outcome id), written as the first CSV
        column named ``row_id_name``; not shown in HTML or Word.
    groups : tuple of str, optional
        A group label per row; a spanning sub-heading row is shown where it
        changes (e.g. the instrument). Written as a ``section`` CSV column.
    column_groups : tuple of (str, int), optional
        A spanning header row above ``columns``: (label, number of columns).
    numeric : tuple of bool, optional
        Right-align (and use tabular figures in) these columns.
    number : str, optional
        Assigned when the document is assembled (``"3"``).
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    row_ids: tuple[str, ...] | None = None
    row_id_name: str = "id"
    groups: tuple[str, ...] | None = None
    column_groups: tuple[tuple[str, int], ...] | None = None
    numeric: tuple[bool, ...] | None = None
    number: str | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table {self.key}: row {i} has {len(row)} cells for {width} columns")
        for name, seq in (("row_ids", self.row_ids), ("groups", self.groups)):
            if seq is not None and len(seq) != len(self.rows):
                raise ValueError(f"table {self.key}: {name} has {len(seq)} entries for {len(self.rows)} rows")
        if self.column_groups is not None and sum(n for _, n in self.column_groups) != width:
            raise ValueError(f"table {self.key}: column groups span {sum(n for _, n in self.column_groups)} of {width} columns")
        if self.numeric is not None and len(self.numeric) != width:
            raise ValueError(f"table {self.key}: numeric flags for {len(self.numeric)} of {width} columns")

    @property
    def caption(self) -> str:
        return f"Table {self.number}. {self.title}" if self.number else self.title

    def numbered(self, number: str) -> "ReportTable":
        return replace(self, number=number)

    def is_numeric(self, j: int) -> bool:
        return bool(self.numeric and self.numeric[j])

    def flat_columns(self) -> list[str]:
        """Column names with their spanning group prefixed (``T1 n``)."""
        if not self.column_groups:
            return list(self.columns)
        out = []
        j = 0
        for label, span in self.column_groups:
            for col in self.columns[j : j + span]:
                out.append(f"{label} {col}".strip() if label else col)
            j += span
        return out

    def group_runs(self) -> list[tuple[str | None, list[int]]]:
        """Consecutive rows sharing a group label: ``[(label, [row indices])]``."""
        if self.groups is None:
            return [(None, list(range(len(self.rows))))]
        runs: list[tuple[str | None, list[int]]] = []
        for i, g in enumerate(self.groups):
            if runs and runs[-1][0] == g:
                runs[-1][1].append(i)
            else:
                runs.append((g, [i]))
        return runs

    def _column_units(self) -> tuple[list[int], list[list[int]]]:
        """The lead columns (the row labels, repeated in every part) and the units a split keeps together."""
        if not self.column_groups:
            return [0], [[j] for j in range(1, len(self.columns))]
        spans, j = [], 0
        for _, span in self.column_groups:
            spans.append(list(range(j, j + span)))
            j += span
        return spans[0], spans[1:]

    def column_parts(self, max_columns: int) -> list["ReportTable"]:
        """The table split into parts of at most ``max_columns`` columns (when it is wider), for the page.

        Every part repeats the first column (or first column group: the row
        labels) and keeps each spanning column group whole; the later parts'
        titles say ``(continued, part k of n)`` and only the last carries the
        notes. The CSV is always the whole table: splitting is for display.
        """
        lead, units = self._column_units()
        if len(self.columns) <= max_columns or not units:
            return [self]
        parts: list[list[list[int]]] = [[]]
        for unit in units:
            width = len(lead) + sum(len(u) for u in parts[-1])
            if parts[-1] and width + len(unit) > max_columns:
                parts.append([])
            parts[-1].append(unit)
        if len(parts) == 1:
            return [self]
        out = []
        for k, chosen in enumerate(parts, start=1):
            cols = lead + [j for u in chosen for j in u]
            groups = None
            if self.column_groups:
                groups = (self.column_groups[0],) + tuple(self.column_groups[1 + units.index(u)] for u in chosen)
            out.append(replace(
                self,
                key=self.key if k == 1 else f"{self.key}-part{k}",
                title=self.title if k == 1 else f"{self.title} (continued, part {k} of {len(parts)})",
                columns=tuple(self.columns[j] for j in cols),
                rows=tuple(tuple(row[j] for j in cols) for row in self.rows),
                column_groups=groups,
                numeric=tuple(self.numeric[j] for j in cols) if self.numeric else None,
                notes=self.notes if k == len(parts) else (),
            ))
        return out

    def to_csv(self) -> str:
        """The table as CSV text (UTF-8, LF line ends, header row first)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        head = ([self.row_id_name] if self.row_ids is not None else []) + (["section"] if self.groups is not None else [])
        w.writerow(head + self.flat_columns())
        for i, row in enumerate(self.rows):
            lead = ([self.row_ids[i]] if self.row_ids is not None else []) + ([self.groups[i]] if self.groups is not None else [])
            w.writerow(lead + list(row))
        return buf.getvalue()

    def write_csv(self, folder: Path) -> Path:
        path = folder / f"{self.key}.csv"
        path.write_text(self.to_csv(), encoding="utf-8", newline="")
        return path
