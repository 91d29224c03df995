"""Qualitative matrices: codes × timepoints, codes × sites, co-occurrence, framework summary, memo digest.

Each table formats the output of a :mod:`peerimpact.qual.queries` function
(or the validated memos of :func:`peerimpact.qual.codings.qual_data`);
nothing is counted here that the query did not count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..synthesis.segments import coverage
from . import fmt
from .document import BulletList, Paragraph
from .labels import Labels
from .table_model import ReportTable

MEMO_KINDS = ("interpretive", "analytic", "reflexive")
MEMO_TARGETS = ("code", "theme", "transcript", "segment")
EXCERPTS = 3
EXCERPT_CHARS = 120


def theme_of(book: Any) -> dict[str, str]:
    """Code id -> name of its (first) theme; a sub-code belongs to its parent's theme, in every table."""
    out: dict[str, str] = {}
    for theme in book.themes:
        for code in book.theme_codes(theme.id):
            out.setdefault(str(code), theme.name)
    return out


def code_matrix(segments: pd.DataFrame, interviewed: pd.DataFrame, study: Any) -> pd.DataFrame:
    """Participants and segments per code and timepoint (codebook order), unrounded."""
    cb = study.codebook or {}
    codes = [str(c["id"]) for c in cb.get("codes") or [] if isinstance(c, dict) and "id" in c]
    codes += sorted(set(segments["code"]) - set(codes)) if len(segments) else []
    cov = coverage(segments, interviewed, {c: (c,) for c in codes}, list(study.definition.timepoint_ids))
    return cov.rename(columns={"group": "code"})


def table_code_matrix(matrix: pd.DataFrame, study: Any, labels: Labels) -> ReportTable:
    """Codes × timepoints: participants coded (% of those interviewed); segments, grouped by theme."""
    from ..qual.codings import codebook_of

    book = codebook_of(study)
    names = {c.id: c.name for c in book.codes}
    themes = theme_of(book)
    tps = list(study.definition.timepoint_ids)
    by = matrix.set_index(["code", "timepoint"])
    rows, ids, groups = [], [], []
    codes = list(dict.fromkeys(matrix["code"]))
    rank = {name: i for i, name in enumerate(dict.fromkeys(themes.values()))}
    codes.sort(key=lambda c: rank.get(themes.get(c, ""), len(rank)))
    for code in codes:
        cells = [names.get(code, code)]
        for tp in tps:
            r = by.loc[(code, tp)]
            cells.append(f"{fmt.count(r['n_coded'])} ({fmt.pct(r['percent'])}%); {fmt.count(r['n_segments'])}" if r["n_interviewed"] else fmt.MISSING)
        rows.append(tuple(cells))
        ids.append(code)
        groups.append(themes.get(code, "No theme"))
    return ReportTable(
        key="qual_code_timepoint",
        title="Codes by timepoint: participants coded (% of those interviewed); segments",
        columns=("Code",) + tuple(labels.timepoint(t) for t in tps),
        rows=tuple(rows),
        notes=("A participant counts when any coder applied the code to their interview at the timepoint.",),
        row_ids=tuple(ids),
        row_id_name="code",
        groups=tuple(groups),
        numeric=(False,) + (True,) * len(tps),
    )


def table_code_site(by_participants: pd.DataFrame, by_segments: pd.DataFrame, study: Any, book: Any) -> ReportTable:
    """Codes × sites: participants coded; segments (``code_matrix(by="site")`` with each count)."""
    sites = list(study.definition.site_ids)
    segs = by_segments.set_index("code")
    themes = theme_of(book)
    rows, ids, groups = [], [], []
    for r in by_participants.to_dict("records"):
        s = segs.loc[r["code"]]
        rows.append((str(r["name"]), *[f"{fmt.count(r[x])}; {fmt.count(s[x])}" for x in [*sites, "total"]]))
        ids.append(str(r["code"]))
        groups.append(themes.get(str(r["code"]), "No theme"))
    theme_rank = {name: i for i, name in enumerate(dict.fromkeys(themes.values()))}
    order = sorted(range(len(rows)), key=lambda i: theme_rank.get(groups[i], len(theme_rank)))  # stable: codebook order within a theme
    return ReportTable(
        key="qual_code_site",
        title="Codes by site: participants coded; segments",
        columns=("Code", *[f"Site {x}" for x in sites], "All sites"),
        rows=tuple(rows[i] for i in order),
        notes=(
            "Participants with at least one segment coded with the code (by any coder, under the current codebook); "
            "then distinct segments. All sites counts distinct participants and segments, so it is not the sum of the sites.",
        ),
        row_ids=tuple(ids[i] for i in order),
        row_id_name="code",
        groups=tuple(groups[i] for i in order),
        numeric=(False,) + (True,) * (len(sites) + 1),
    )


def table_cooccurrence(matrix: pd.DataFrame, book: Any) -> ReportTable:
    """Pairs of codes applied to the same segment, most frequent first (``cooccurrence(unit="segment")``)."""
    names = {c.id: c.name for c in book.codes}
    codes = [str(c) for c in matrix["code"]]
    square = matrix.set_index("code")
    pairs = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            n = int(square.at[a, b])
            if n:
                pairs.append((a, b, n))
    pairs.sort(key=lambda p: (-p[2], codes.index(p[0]), codes.index(p[1])))
    rows = tuple(
        (names.get(a, a), names.get(b, b), fmt.count(n), fmt.count(square.at[a, a]), fmt.count(square.at[b, b])) for a, b, n in pairs
    )
    return ReportTable(
        key="qual_cooccurrence",
        title="Codes applied to the same segment",
        columns=("Code", "With code", "Segments with both", "Segments with the first", "Segments with the second"),
        rows=rows,
        notes=(
            "Every pair of codes applied to at least one common segment (the same segment_id, by any coder); pairs that "
            "never co-occur are not listed.",
        ),
        row_ids=tuple(f"{a}+{b}" for a, b, _ in pairs),
        row_id_name="pair",
        numeric=(False, False, True, True, True),
    )


def table_framework(framework: pd.DataFrame, book: Any) -> ReportTable:
    """Framework matrix summary: segments (interviews) per participant and theme (``framework_matrix``)."""
    themes = [t for t in book.themes if t.id in set(framework["theme"])]
    by = framework.set_index(["participant_id", "theme"])
    people = list(dict.fromkeys(zip(framework["participant_id"], framework["site"], strict=False)))
    rows, ids, groups = [], [], []
    for pid, site in people:
        cells = []
        for t in themes:
            r = by.loc[(pid, t.id)]
            cells.append(f"{fmt.count(r['n_segments'])} ({fmt.count(r['n_interviews'])})" if r["n_segments"] else fmt.count(0))
        rows.append((str(pid), *cells))
        ids.append(str(pid))
        groups.append(f"Site {site}")
    return ReportTable(
        key="qual_framework",
        title="Framework matrix: segments per participant and theme (interviews)",
        columns=("Participant", *[t.name for t in themes]),
        rows=tuple(rows),
        notes=(
            "Distinct segments coded with any code of the theme (or its sub-codes) across the participant's interviews, "
            "with the number of interviews they came from in brackets; the linked segments are in the framework "
            "matrix export (peerimpact qual framework).",
        ),
        row_ids=tuple(ids),
        row_id_name="participant",
        groups=tuple(groups),
        numeric=(False,) + (True,) * len(themes),
    )


def table_memo_digest(memos: Any) -> ReportTable | None:
    """Memos counted by kind and by the type of their target; ``None`` without memos."""
    items = list(memos.memos) if memos is not None else []
    if not items:
        return None
    counts = Counter((m.kind, m.target.type) for m in items)
    kinds = [k for k in MEMO_KINDS if any(m.kind == k for m in items)] + sorted({m.kind for m in items} - set(MEMO_KINDS))
    targets = list(MEMO_TARGETS) + sorted({m.target.type for m in items} - set(MEMO_TARGETS))
    rows = []
    for k in kinds:
        rows.append((k.capitalize(), *[fmt.count(counts[(k, t)]) for t in targets], fmt.count(sum(counts[(k, t)] for t in targets))))
    rows.append(("All memos", *[fmt.count(sum(counts[(k, t)] for k in kinds)) for t in targets], fmt.count(len(items))))
    return ReportTable(
        key="qual_memos",
        title="Memos by kind and by what they are attached to",
        columns=("Kind", *[t.capitalize() for t in targets], "All targets"),
        rows=tuple(rows),
        notes=("Memos in qual/memos.yaml, counted by their kind and the type of what they are attached to.",),
        row_ids=tuple([*kinds, "all"]),
        row_id_name="memo_kind",
        numeric=(False,) + (True,) * (len(targets) + 1),
    )


def memo_excerpts(memos: Any, synthetic: bool) -> BulletList | None:
    """A few short memo excerpts, each labelled synthetic; only for a synthetic study (real memos stay out of the report)."""
    items = list(memos.memos) if memos is not None else []
    if not synthetic or not items:
        return None
    out = []
    for m in sorted(items, key=lambda m: m.id)[:EXCERPTS]:
        text = " ".join(m.text.split())
        if len(text) > EXCERPT_CHARS:
            text = text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "\u2026"
        out.append(f"Synthetic memo {m.id} ({m.kind}, on {m.target.type} {m.target.id}): \u201c{text}\u201d")
    return BulletList(tuple(out))


def qual_matrix_blocks(study: Any) -> list:
    """The tables (and excerpts) of this module for a study with codings; ``[]`` without them."""
    from ..qual import queries
    from ..qual.codings import qual_data

    data = qual_data(study)
    book = data.codebook
    cooc = table_cooccurrence(queries.cooccurrence(study, unit="segment"), book)
    blocks: list = [
        table_code_site(
            queries.code_matrix(study, by="site", count="participants"), queries.code_matrix(study, by="site", count="segments"), study, book
        ),
        cooc if cooc.rows else Paragraph("Code co-occurrence: no two codes were applied to the same segment."),
    ]
    if book.themes:
        blocks.append(table_framework(queries.framework_matrix(study), book))
    blocks += [table_memo_digest(data.memos), memo_excerpts(data.memos, bool(study.synthetic))]
    return [b for b in blocks if b is not None]
