"""Codings kept in a spreadsheet: place each quote in its transcript and merge into the study.

Many teams code in a spreadsheet: one row per coded quote, with the
interview, the quote (or its first and last words), the code, the coder and
perhaps a memo. :func:`import_coding_sheet_into` finds each quote in its
transcript and merges the codings into ``qual/codings.csv`` (and the memos
into ``qual/memos.yaml``), all or nothing.

How a quote is found, in this order (the first step that finds it decides):

1. **exact**: the quote's text, as typed (surrounding spaces removed);
2. **folded**: ignoring differences in whitespace (a run of spaces, tabs or
   line breaks counts as one space) and in quote marks and dashes (curly and
   straight quotes, ``–``/``—``/``-``, ``…``/``...`` are the same).

With ``quote_start`` and ``quote_end`` instead of ``quote``, the span runs
from the start words to the nearest following end words, found the same way.
A quote found more than once is *ambiguous* and, like a quote not found,
reported with its 1-based spreadsheet row (header = row 1); nothing is
written unless every row is placed, or ``accept_loss`` is given (then the
rows that could not be placed are listed in the returned report).
"""

from __future__ import annotations

import bisect
import csv
import difflib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, StudyValidationError, UserInputError
from ..study.definition import check_id
from ..study.model import Study
from .codings import CODINGS_FILE, codebook_of
from .memos import MEMOS_FILE, Memo, MemoKind, MemoTarget, dump_memos, parse_memos
from .versions import known_codes

#: Columns of a coding sheet (after header folding: lower case, spaces and ``-`` as ``_``).
SHEET_COLUMNS = ("interview_id", "quote", "quote_start", "quote_end", "code", "coder", "memo")
#: What each column of a coding sheet holds (for the generated docs).
SHEET_COLUMN_HELP = {
    "interview_id": "The interview id, or the transcript's file name (with or without extension; case and repeated spaces do not matter); the column may be called `interview` or `transcript`.",
    "quote": "The coded text, whole. Leave empty when giving `quote_start` and `quote_end`.",
    "quote_start": "Instead of `quote`: the first words of the coded text (also `start words`).",
    "quote_end": "Instead of `quote`: its last words (also `end words`).",
    "code": "A code id of `qual/codebook.yaml`.",
    "coder": "The coder's id (letters, digits, `_`, `.`).",
    "memo": "Optional: a memo on the coded segment, by the coder, of kind `interpretive`.",
}
_ALIASES = {
    "interview": "interview_id",
    "transcript": "interview_id",
    "start_words": "quote_start",
    "end_words": "quote_end",
}
_FOLD = {
    **{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"},
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
    "\u2026": "...",
}
SEGMENT_PREFIX = "sheet"
MEMO_KIND: MemoKind = "interpretive"


@dataclass(frozen=True)
class Folded:
    """A text with whitespace runs, quote marks and dashes folded, and where each character came from.

    ``source[i]`` is the index in the original text of folded character ``i``.
    """

    text: str
    source: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` of folded ``[start, end)``."""
        return self.source[start], self.source[end - 1] + 1


def fold(text: str) -> Folded:
    """Fold ``text`` for whitespace- and quote-mark-insensitive matching.

    Examples
    --------
    >>> f = fold("said \u201cno\u201d \u2013  twice")
    >>> f.text
    'said "no" - twice'
    >>> f.span(5, 9)
    (5, 9)
    """
    out: list[str] = []
    src: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                src.append(i)
            in_space = True
            continue
        in_space = False
        rep = _FOLD.get(ch, ch)
        out.append(rep)
        src.extend([i] * len(rep))
    return Folded("".join(out), tuple(src))


def _occurrences(text: str, needle: str) -> list[int]:
    """Every start index of ``needle`` in ``text`` (overlapping)."""
    found, i = [], text.find(needle)
    while i >= 0:
        found.append(i)
        i = text.find(needle, i + 1)
    return found


def find_quote(text: str, quote: str, folded: Folded | None = None) -> tuple[list[tuple[int, int]], str]:
    """Spans ``[start, end)`` of ``quote`` in ``text`` and how they were found.

    Returns
    -------
    spans : list of (int, int)
        Empty when not found; more than one when ambiguous.
    how : str
        ``exact`` or ``folded`` (whitespace, quote marks and dashes ignored).
    """
    quote = quote.strip()
    spans = [(s, s + len(quote)) for s in _occurrences(text, quote)]
    if spans:
        return spans, "exact"
    folded = folded or fold(text)
    needle = fold(quote).text.strip()
    if not needle:
        return [], "folded"
    return [folded.span(s, s + len(needle)) for s in _occurrences(folded.text, needle)], "folded"


def _between(starts: list[int], first_len: int, ends: list[int], last_len: int) -> list[tuple[int, int]]:
    """For each start, the span to the nearest end whose words finish after the start words."""
    spans = []
    for s in starts:
        j = bisect.bisect_left(ends, s)
        while j < len(ends) and ends[j] + last_len < s + first_len:
            j += 1
        if j < len(ends):
            spans.append((s, ends[j] + last_len))
    return spans


def find_span(text: str, first: str, last: str, folded: Folded | None = None) -> tuple[list[tuple[int, int]], str]:
    """Spans from the words ``first`` to the nearest following words ``last`` (see :func:`find_quote`)."""
    first, last = first.strip(), last.strip()
    spans = _between(_occurrences(text, first), len(first), _occurrences(text, last), len(last))
    if spans:
        return spans, "exact"
    folded = folded or fold(text)
    f, la = fold(first).text.strip(), fold(last).text.strip()
    if not f or not la:
        return [], "folded"
    fspans = _between(_occurrences(folded.text, f), len(f), _occurrences(folded.text, la), len(la))
    return [folded.span(s, e) for s, e in fspans], "folded"


@dataclass
class SheetRow:
    """One row of a coding sheet, as text (empty cell = ``""``)."""

    row: int
    interview_id: str
    quote: str
    quote_start: str
    quote_end: str
    code: str
    coder: str
    memo: str


@dataclass
class CodingSheetImport:
    """What :func:`import_coding_sheet_into` did.

    Attributes
    ----------
    placed : DataFrame
        One row per placed sheet row: ``row`` (spreadsheet row), ``interview_id``,
        ``start``, ``end``, ``code``, ``coder``, ``segment_id``, ``how``
        (``exact`` / ``folded``), ``new`` (False when the coding was already in
        the study).
    not_placed : list of Problem
        Rows whose quote was not found or found more than once (only non-empty
        with ``accept_loss``).
    written : list of str
        Files written, relative to the study folder.
    backup : Path or None
        Where the replaced files were copied.
    new_memos : int
    """

    placed: pd.DataFrame
    not_placed: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    backup: Path | None = None
    new_memos: int = 0


def _header_key(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


def read_coding_sheet(path: str | Path, sheet: str | None = None) -> tuple[str, list[SheetRow]]:
    """The rows of a coding sheet (CSV or ``.xlsx``; the first sheet unless ``sheet`` is named).

    Returns
    -------
    label : str
        How problems name the file (``codes.xlsx[Sheet1]`` for a workbook).
    rows : list of SheetRow
        Non-empty rows.

    Raises
    ------
    UserInputError
        An unreadable file, or (as :class:`StudyValidationError`) required
        columns missing, or neither ``quote`` nor ``quote_start`` + ``quote_end``.
    """
    from ..formats.sniff import detect_kind, read_bytes
    from ..formats.source import canonical_text

    path = Path(path)
    kind = detect_kind(read_bytes(path, path.name))
    if kind == "xlsx":
        from ..formats.xlsx_source import open_workbook, tables_from_workbook

        wb = open_workbook(path, path.name)
        title = sheet or wb.sheetnames[0]
        table = tables_from_workbook(wb, {title: title})[0]
    elif kind == "text":
        if sheet is not None:
            raise UserInputError(f"{path.name}: --sheet is for workbooks; this file is CSV text")
        from ..formats.csv_source import read_csv_source

        table = read_csv_source(path)
    else:
        raise UserInputError(f"{path.name}: is not a CSV file or an Excel workbook (.xlsx)")
    label = table.label
    keys = [_header_key(c) for c in table.columns]
    problems = []
    for need in ("interview_id", "code", "coder"):
        if need not in keys:
            problems.append(Problem(label, 1, need, f"required column {need!r} is missing (columns: {', '.join(table.columns)})"))
    whole = "quote" in keys
    ends = [k for k in ("quote_start", "quote_end") if k in keys]
    if len(ends) == 1:
        problems.append(Problem(label, 1, ends[0], "'quote_start' and 'quote_end' go together: add the other column"))
    elif not whole and not ends:
        problems.append(Problem(label, 1, "quote", "a 'quote' column (the whole quote) or 'quote_start' and 'quote_end' columns (its first and last words) is required"))
    if problems:
        raise StudyValidationError(problems)
    where = {k: i for i, k in enumerate(keys) if k in SHEET_COLUMNS}
    rows = []
    for number, cells in zip(table.row_numbers, table.rows):
        values = {k: canonical_text(cells[i]) if i < len(cells) else "" for k, i in where.items()}
        if not any(values.values()):
            continue
        rows.append(SheetRow(number, *(values.get(k, "") for k in SHEET_COLUMNS)))
    return label, rows


def _interview_key(text: str) -> str:
    """How a sheet's interview cell is compared: spaces collapsed, case ignored."""
    return " ".join(text.split()).lower()


def _interview_lookup(study: Study) -> dict[str, str]:
    """Interview id, transcript file name and stem (spaces collapsed, any case) -> interview id."""
    out: dict[str, str] = {}
    for iid, tr in study.transcripts.items():
        for key in (iid, Path(tr.file).stem, Path(tr.file).name):
            out.setdefault(key, iid)
            out.setdefault(_interview_key(key), iid)
    return out


def _check_id_cell(value: str, what: str) -> str | None:
    try:
        check_id(value, what)
    except ValueError as exc:
        return str(exc)
    return None


def place_rows(study: Study, label: str, rows: Sequence[SheetRow]) -> tuple[list[dict[str, Any]], list[Problem], list[Problem]]:
    """Check and place every row.

    Returns
    -------
    placed : list of dict
        ``row, interview_id, start, end, code, coder, memo, how``.
    not_placed : list of Problem
        Quotes not found or found more than once.
    invalid : list of Problem
        Every other problem (empty cells, unknown interview or code, a coder
        that is not an id, the same coding twice).
    """
    lookup = _interview_lookup(study)
    codes = known_codes(codebook_of(study)) if study.codebook is not None else None
    folded: dict[str, Folded] = {}
    placed: list[dict[str, Any]] = []
    not_placed: list[Problem] = []
    invalid: list[Problem] = []
    first_row: dict[tuple, int] = {}
    for r in rows:
        iid, bad = _check_row(study, label, r, lookup, codes)
        if bad or iid is None:
            invalid += bad
            continue
        text = study.transcripts[iid].text
        found = _place_quote(label, r, iid, text, folded.setdefault(iid, fold(text)))
        if isinstance(found, Problem):
            not_placed.append(found)
            continue
        (start, end), how = found
        key = (iid, start, end, r.code, r.coder)
        if key in first_row:
            invalid.append(Problem(label, r.row, "quote" if r.quote != "" else "quote_start", f"the same coding (quote, code and coder) as row {first_row[key]}"))
            continue
        first_row[key] = r.row
        placed.append({"row": r.row, "interview_id": iid, "start": start, "end": end, "code": r.code, "coder": r.coder, "memo": r.memo, "how": how})
    return placed, not_placed, invalid


def _check_row(study: Study, label: str, r: SheetRow, lookup: dict[str, str], codes: set[str] | None) -> tuple[str | None, list[Problem]]:
    """The row's interview id (None when unknown) and every problem of its cells: empty, quote and span both or neither, unknown interview or code, ids."""
    bad = []
    for col in ("interview_id", "code", "coder"):
        if getattr(r, col) == "":
            bad.append(Problem(label, r.row, col, f"{col} is empty"))
    whole = r.quote != ""
    if whole and (r.quote_start or r.quote_end):
        bad.append(Problem(label, r.row, "quote", "give the whole quote or its start and end words, not both"))
    elif not whole and (r.quote_start == "" or r.quote_end == ""):
        which = "quote" if r.quote_start == r.quote_end == "" else ("quote_start" if r.quote_start == "" else "quote_end")
        bad.append(Problem(label, r.row, which, "no quote: give the whole quote, or its start and end words"))
    iid = lookup.get(r.interview_id) or lookup.get(_interview_key(r.interview_id))
    if r.interview_id and iid is None:
        close = difflib.get_close_matches(r.interview_id, sorted(study.transcripts), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        bad.append(Problem(label, r.row, "interview_id", f"no transcript for interview {r.interview_id!r} in the study{hint}"))
    if r.code:
        msg = _check_id_cell(r.code, "code")
        if msg is None and codes is not None and r.code not in codes:
            close = difflib.get_close_matches(r.code, sorted(codes), n=1, cutoff=0.6)
            msg = f"code {r.code!r} is not in the codebook ({'did you mean ' + repr(close[0]) + '?' if close else 'add it to qual/codebook.yaml first'})"
        if msg:
            bad.append(Problem(label, r.row, "code", msg))
    if r.coder:
        msg = _check_id_cell(r.coder, "coder")
        if msg:
            bad.append(Problem(label, r.row, "coder", msg))
    return iid, bad


def _place_quote(label: str, r: SheetRow, iid: str, text: str, fo: Folded) -> tuple[tuple[int, int], str] | Problem:
    """The one span of the row's quote (or start and end words) in ``text`` and how it was found, or why it was not placed."""
    if r.quote != "":
        spans, how = find_quote(text, r.quote, fo)
        col, what = "quote", "the quote"
    else:
        spans, how = find_span(text, r.quote_start, r.quote_end, fo)
        col, what = "quote_start", "a passage from these start words to these end words"
    if not spans:
        return Problem(label, r.row, col, f"{what} is not in transcript {iid!r} (even ignoring whitespace, quote marks and dashes)")
    if len(spans) > 1:
        at = ", ".join(f"[{s}, {e})" for s, e in spans[:5]) + (" ..." if len(spans) > 5 else "")
        return Problem(label, r.row, col, f"{what} is ambiguous: found {len(spans)} times in transcript {iid!r} at {at}; give more words")
    return spans[0], how


def _existing_codings(study: Study) -> pd.DataFrame:
    """``qual/codings.csv`` as written (strings), or an empty frame with the declared columns."""
    from ..study.csvio import read_raw_csv
    from ..study.tables import CODINGS

    if study.root is not None and (Path(study.root) / CODINGS_FILE).is_file():
        frame, problems = read_raw_csv(Path(study.root) / CODINGS_FILE, CODINGS_FILE)
        if problems or frame is None:
            raise StudyValidationError(problems)
        return frame
    return pd.DataFrame(columns=CODINGS.column_names, dtype=object)


def _next_ids(taken: set[str], prefix: str):
    n = 0
    while True:
        n += 1
        candidate = f"{prefix}{n:04d}"
        if candidate not in taken:
            yield candidate


def merge_codings(study: Study, placed: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[Memo], pd.DataFrame]:
    """The new ``qual/codings.csv`` (strings), the new memos, and ``placed`` with segment ids.

    A placed span that is already a segment of the same interview reuses its
    ``segment_id``; new spans get ``sheet0001``, ``sheet0002`` ...; a coding
    already in the study (same span, code and coder) is not added again.
    New rows carry the codebook's current ``version`` and the coded ``quote``.
    """
    existing = _existing_codings(study)
    seg_of: dict[tuple[str, int, int], str] = {}
    have: set[tuple] = set()
    for rec in existing.to_dict("records"):
        span = (rec["interview_id"], int(rec["start"]), int(rec["end"]))
        seg_of.setdefault(span, rec["segment_id"])
        have.add(span + (rec["code"], rec["coder"]))
    new_ids = _next_ids(set(existing["segment_id"]), SEGMENT_PREFIX)
    version = str(codebook_of(study).version) if study.codebook is not None else ""
    columns = list(existing.columns) + [c for c in ("version", "quote") if c not in existing.columns]
    new_rows, out = [], []
    memos: list[Memo] = []
    prior = parse_memos(study.memos).memos
    memo_ids = _next_ids({m.id for m in prior}, "memo_" + SEGMENT_PREFIX)
    seen_memos = {(m.target.type, m.target.id, m.author, m.text) for m in prior}
    for p in placed:
        span = (p["interview_id"], p["start"], p["end"])
        if span not in seg_of:
            seg_of[span] = next(new_ids)
        seg = seg_of[span]
        is_new = span + (p["code"], p["coder"]) not in have
        if is_new:
            have.add(span + (p["code"], p["coder"]))
            cells = {"segment_id": seg, "interview_id": p["interview_id"], "start": str(p["start"]), "end": str(p["end"]),
                     "code": p["code"], "coder": p["coder"], "version": version,
                     "quote": study.transcripts[p["interview_id"]].text[p["start"]:p["end"]]}
            new_rows.append({c: cells.get(c, "") for c in columns})
        if p["memo"] and ("segment", seg, p["coder"], p["memo"]) not in seen_memos:
            seen_memos.add(("segment", seg, p["coder"], p["memo"]))
            memos.append(Memo(id=next(memo_ids), target=MemoTarget(type="segment", id=seg), kind=MEMO_KIND, author=p["coder"], text=p["memo"]))
        out.append({**{k: v for k, v in p.items() if k != "memo"}, "segment_id": seg, "new": is_new})
    merged = pd.concat([existing.reindex(columns=columns, fill_value=""), pd.DataFrame(new_rows, columns=columns, dtype=object)], ignore_index=True)
    merged = merged.fillna("").astype(object)
    placed_frame = pd.DataFrame(out, columns=["row", "interview_id", "start", "end", "code", "coder", "segment_id", "how", "new"])
    return merged, memos, placed_frame


def codings_text(frame: pd.DataFrame) -> str:
    """CSV text of a frame of strings (LF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(frame.columns))
    writer.writerows(frame.itertuples(index=False, name=None))
    return buf.getvalue()


def import_coding_sheet_into(
    path: str | Path, study_dir: str | Path, *, accept_loss: bool = False, sheet: str | None = None
) -> CodingSheetImport:
    """Place the codings of a spreadsheet in the study's transcripts and merge them in.

    Parameters
    ----------
    path : str or Path
        The coding sheet, CSV or ``.xlsx``; columns ``interview_id`` (or
        ``interview``: an interview id or a transcript's file name without
        extension), ``quote`` or ``quote_start`` + ``quote_end``, ``code``,
        ``coder`` and optionally ``memo`` (a memo on the coded segment, by
        the coder, of kind ``interpretive``). Header case and spaces do not matter.
    study_dir : str or Path
        The study folder; it must load without problems.
    accept_loss : bool
        Write the rows that could be placed even if some could not (they are
        listed in ``not_placed``). Other problems still stop the import.
    sheet : str, optional
        Worksheet of a workbook (default: the first).

    Returns
    -------
    CodingSheetImport

    Raises
    ------
    StudyValidationError
        Every problem at once (sheet rows are spreadsheet rows, header = 1):
        unreadable or incomplete rows, quotes not found or ambiguous (unless
        ``accept_loss``), and anything the study loader would reject in the
        merged codings and memos. Nothing is written.
    """
    from ..study.load import load_study
    from ..study.update import commit_update, validate_update

    study = load_study(study_dir)
    label, rows = read_coding_sheet(path, sheet)
    if not rows:
        raise UserInputError(f"{label}: has no coding rows")
    placed, not_placed, invalid = place_rows(study, label, rows)
    if invalid or (not_placed and not accept_loss):
        raise StudyValidationError(invalid + not_placed)
    codings, new_memos, placed_frame = merge_codings(study, placed)
    files: dict[str, bytes] = {}
    if new_memos:
        memos = parse_memos(study.memos)
        files[MEMOS_FILE] = dump_memos(memos.model_copy(update={"memos": memos.memos + new_memos})).encode("utf-8")
    result = CodingSheetImport(placed=placed_frame, not_placed=not_placed, new_memos=len(new_memos))
    if bool(placed_frame["new"].any()) if len(placed_frame) else False:
        files[CODINGS_FILE] = codings_text(codings).encode("utf-8")
    if files:
        # the whole study, as it would be, loaded in a staging copy: the same check as import-qdpx
        validate_update(Path(study_dir), files)
        result.backup = commit_update(Path(study_dir), files)
        result.written = sorted(files)
    return result
