"""Queries over coded segments: quotes, code matrices, co-occurrence and the framework matrix.

All queries read codings migrated to the current codebook version (a code
merged in version 2 counts under the code it was merged into). When two
coders coded the same material, counts use the union of their codings
unless ``coder`` restricts them to one coder.
"""

from __future__ import annotations

from typing import Iterable, Literal

import pandas as pd

from ..errors import UserInputError
from ..study.model import Study
from .codings import qual_data
from .corpus import speaker_turns, turn_of

Many = str | Iterable[str] | None


def _as_list(value: Many) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    out = list(value)
    return out or None


def _check(values: list[str] | None, allowed: list[str], what: str) -> None:
    for v in values or []:
        if v not in allowed:
            raise UserInputError(f"unknown {what} {v!r}; {what}s: {', '.join(allowed) if allowed else '(none)'}")


def _filtered(
    study: Study,
    code: Many = None,
    theme: Many = None,
    timepoint: Many = None,
    site: Many = None,
    participant_id: Many = None,
    coder: Many = None,
) -> pd.DataFrame:
    data = qual_data(study)
    book = data.codebook
    frame = data.current
    codes, themes = _as_list(code), _as_list(theme)
    tps, sites, pids, coders = map(_as_list, (timepoint, site, participant_id, coder))
    _check(codes, book.code_ids, "code")
    _check(themes, [t.id for t in book.themes], "theme")
    _check(tps, study.definition.timepoint_ids, "timepoint")
    _check(sites, study.definition.site_ids, "site")
    _check(pids, sorted({t.participant_id for t in study.transcripts.values()}), "participant")
    _check(coders, sorted(set(frame["coder"])), "coder")
    mask = pd.Series(True, index=frame.index)
    if codes:
        wanted: set[str] = set()
        for c in codes:
            wanted.update(book.descendants(c))
        mask &= frame["code"].isin(wanted)
    if themes:
        wanted = set()
        for t in themes:
            wanted.update(book.theme_codes(t))
        mask &= frame["code"].isin(wanted)
    for col, values in (("timepoint", tps), ("site", sites), ("participant_id", pids), ("coder", coders)):
        if values:
            mask &= frame[col].isin(values)
    return frame[mask]


def _order(study: Study, frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    tp = {t: i for i, t in enumerate(study.definition.timepoint_ids)}
    return (
        frame.assign(_tp=frame["timepoint"].map(tp))
        .sort_values(["_tp", "participant_id", "interview_id", *extra], kind="stable")
        .drop(columns="_tp")
        .reset_index(drop=True)
    )


QUOTE_COLUMNS = [
    "interview_id", "segment_id", "participant_id", "site", "timepoint", "code", "coders", "speaker", "start", "end", "quote",
]


def quotes(
    study: Study,
    code: Many = None,
    theme: Many = None,
    timepoint: Many = None,
    site: Many = None,
    participant_id: Many = None,
    coder: Many = None,
) -> pd.DataFrame:
    """Coded quotes, one row per segment and code.

    Parameters
    ----------
    code, theme : str or list of str, optional
        Keep segments coded with these codes (a code includes its sub-codes)
        or with any code a theme gathers.
    timepoint, site, participant_id, coder : str or list of str, optional
        Further filters.

    Returns
    -------
    DataFrame
        ``interview_id`` (e.g. ``S6-PW01-T1``), ``segment_id``,
        ``participant_id``, ``site``, ``timepoint``, ``code``, ``coders``
        (``;``-separated), ``speaker`` (of the turn where the segment starts,
        see :func:`~peerimpact.qual.corpus.speaker_turns`; None when
        unmarked), ``start``, ``end``, ``quote``; ordered by timepoint,
        participant and position.

    Raises
    ------
    UserInputError
        For an unknown code, theme, timepoint, site, participant or coder.
    """
    frame = _filtered(study, code, theme, timepoint, site, participant_id, coder)
    if frame.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    grouped = (
        frame.groupby(["segment_id", "code"], sort=False)
        .agg(
            interview_id=("interview_id", "first"),
            participant_id=("participant_id", "first"),
            site=("site", "first"),
            timepoint=("timepoint", "first"),
            coders=("coder", lambda s: ";".join(sorted(set(s)))),
            start=("start", "first"),
            end=("end", "first"),
            quote=("quote", "first"),
        )
        .reset_index()
    )
    turns = {iid: speaker_turns(study.transcripts[iid].text, study.definition.turn_regex) for iid in set(grouped["interview_id"])}
    grouped["speaker"] = [turn_of(turns[i], s) for i, s in zip(grouped["interview_id"], grouped["start"])]
    return _order(study, grouped, ["start", "end", "code"])[QUOTE_COLUMNS]


def code_matrix(
    study: Study,
    by: Literal["timepoint", "site"] = "timepoint",
    count: Literal["participants", "segments"] = "participants",
    level: Literal["code", "theme"] = "code",
    coder: Many = None,
) -> pd.DataFrame:
    """Code (or theme) × timepoint (or site) counts.

    Parameters
    ----------
    by : {"timepoint", "site"}
        Columns, in study order.
    count : {"participants", "segments"}
        Distinct participants with at least one such segment, or distinct
        segments.
    level : {"code", "theme"}
        Rows are codes (codebook order; a parent row counts its own codings
        only) or themes (all codes they gather, with sub-codes).

    Returns
    -------
    DataFrame
        ``code`` (or ``theme``), ``name``, one integer column per timepoint
        (or site) id, and ``total`` (distinct over all columns, so not the
        row sum when counting participants).
    """
    if by not in ("timepoint", "site"):
        raise UserInputError(f"--by must be timepoint or site, not {by!r}")
    if count not in ("participants", "segments"):
        raise UserInputError(f"--count must be participants or segments, not {count!r}")
    if level not in ("code", "theme"):
        raise UserInputError(f"--level must be code or theme, not {level!r}")
    book = qual_data(study).codebook
    frame = _filtered(study, coder=coder)
    columns = study.definition.timepoint_ids if by == "timepoint" else study.definition.site_ids
    unit = "participant_id" if count == "participants" else "segment_id"
    if level == "code":
        rows = [(c.id, c.name, {c.id}) for c in book.codes]
    else:
        rows = [(t.id, t.name, set(book.theme_codes(t.id))) for t in book.themes]
    records = []
    for row_id, name, codes in rows:
        sub = frame[frame["code"].isin(codes)]
        rec: dict[str, object] = {level: row_id, "name": name}
        for col in columns:
            rec[col] = int(sub.loc[sub[by] == col, unit].nunique())
        rec["total"] = int(sub[unit].nunique())
        records.append(rec)
    return pd.DataFrame(records, columns=[level, "name", *columns, "total"])


def cooccurrence(
    study: Study,
    unit: Literal["segment", "interview", "participant"] = "segment",
    coder: Many = None,
) -> pd.DataFrame:
    """How often two codes were applied to the same unit.

    Parameters
    ----------
    unit : {"segment", "interview", "participant"}
        A segment (the same ``segment_id``), a whole interview, or a
        participant across interviews.
    coder : str or list, optional
        Restrict to these coders (recommended with double coding: otherwise
        two coders' different codes on one segment count as co-occurring).

    Returns
    -------
    DataFrame
        Square: column ``code`` then one integer column per code; the
        diagonal counts the units with that code.
    """
    key = {"segment": "segment_id", "interview": "interview_id", "participant": "participant_id"}.get(unit)
    if key is None:
        raise UserInputError(f"--unit must be segment, interview or participant, not {unit!r}")
    book = qual_data(study).codebook
    frame = _filtered(study, coder=coder)
    units = {c: set(frame.loc[frame["code"] == c, key]) for c in book.code_ids}
    ids = book.code_ids
    return pd.DataFrame(
        [[a, *[len(units[a] & units[b]) for b in ids]] for a in ids],
        columns=["code", *ids],
    )


def framework_matrix(study: Study, timepoint: Many = None, coder: Many = None) -> pd.DataFrame:
    """The framework matrix: participant × theme, with the linked segments per cell.

    Returns
    -------
    DataFrame
        Long form, one row per participant and theme (every pair, empty cells
        included): ``participant_id``, ``site``, ``theme``, ``n_segments``,
        ``n_interviews``, ``segments`` (``;``-separated
        ``interview_id:segment_id``, in timepoint order).
    """
    book = qual_data(study).codebook
    frame = _filtered(study, timepoint=timepoint, coder=coder)
    people = sorted({(t.participant_id, t.site) for t in study.transcripts.values()})
    ordered = _order(study, frame, ["start", "end"]) if len(frame) else frame
    records = []
    for pid, site in people:
        mine = ordered[ordered["participant_id"] == pid]
        for theme in book.themes:
            cell = mine[mine["code"].isin(book.theme_codes(theme.id))]
            refs = list(dict.fromkeys(f"{i}:{s}" for i, s in zip(cell["interview_id"], cell["segment_id"])))
            records.append(
                {
                    "participant_id": pid,
                    "site": site,
                    "theme": theme.id,
                    "n_segments": int(cell["segment_id"].nunique()),
                    "n_interviews": int(cell["interview_id"].nunique()),
                    "segments": ";".join(refs),
                }
            )
    return pd.DataFrame(records, columns=["participant_id", "site", "theme", "n_segments", "n_interviews", "segments"])


def framework_wide(framework: pd.DataFrame) -> pd.DataFrame:
    """Framework matrix as one row per participant and one column per theme (cells: segment refs)."""
    if framework.empty:
        return pd.DataFrame(columns=["participant_id", "site"])
    wide = framework.pivot(index=["participant_id", "site"], columns="theme", values="segments")
    themes = list(dict.fromkeys(framework["theme"]))
    return wide[themes].reset_index().rename_axis(columns=None)
