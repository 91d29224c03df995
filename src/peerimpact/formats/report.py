"""What an import did: rows written and skipped, labels kept, REDCap form statuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .redcap import FormStatus


@dataclass
class ImportReport:
    """Returned by :func:`peerimpact.formats.import_study` (and printed by the CLI).

    Attributes
    ----------
    out : Path
        The study folder written.
    format : str
        ``csv``, ``xlsx``, ``spss`` or ``redcap``.
    rows : dict
        Study table -> rows written.
    skipped : dict
        Reason -> number of source rows not imported (filtered, unmapped
        events, empty rows).
    unused_sources : list of str
        Source tables no block reads.
    variable_labels : dict
        Source name -> {column: label} (SPSS variable labels, REDCap field labels)
        for every column the mapping reads.
    user_missing : dict
        Source name -> {column: number of SPSS user-missing codes set to missing}.
    form_status : list of FormStatus
        REDCap ``<form>_complete`` counts per form and event.
    ignored_columns : dict
        File -> columns of a REDCap export that no mapping reads: neither
        checked nor imported.
    encodings : dict
        File -> the text encoding detected for it (``encoding: auto``).
    derived : list of str
        Tables the import derived because the files lack them, and how.
    """

    out: Path
    format: str
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    unused_sources: list[str] = field(default_factory=list)
    variable_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    user_missing: dict[str, dict[str, int]] = field(default_factory=dict)
    form_status: list[FormStatus] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    derived: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["out"] = str(self.out)
        return out

    def lines(self) -> list[str]:
        """A short human-readable summary."""
        text = [f"imported into {self.out}: " + ", ".join(f"{n} {t} rows" for t, n in self.rows.items())]
        text += [f"skipped {n}: {reason}" for reason, n in sorted(self.skipped.items())]
        text += list(self.derived)
        if self.unused_sources:
            text.append("not used by the mapping: " + ", ".join(self.unused_sources))
        for source, enc in sorted(self.encodings.items()):
            text.append(f"{source}: read as {enc} (detected; `encoding: auto`)")
        for source, cols in sorted(self.ignored_columns.items()):
            shown = ", ".join(cols[:12]) + (f", ... ({len(cols) - 12} more)" if len(cols) > 12 else "")
            text.append(f"{source}: {len(cols)} column(s) not read by the mapping, so neither checked nor imported: {shown}")
        for source, counts in sorted(self.user_missing.items()):
            for col, n in sorted(counts.items()):
                text.append(f"{source}: {n} SPSS user-missing value(s) of {col} read as missing")
        for st in self.form_status:
            if st.event is None:
                where = st.form
            else:
                where = f"{st.form} at {st.event}"
            text.append(f"REDCap {where}: {st.complete} complete, {st.unverified} unverified, {st.incomplete} incomplete, {st.empty} empty")
        return text
