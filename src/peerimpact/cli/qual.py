"""``peerimpact qual …``: quotes, matrices, agreement, REFI-QDA exchange and search.

Thin wrappers: each command loads the study, calls :mod:`peerimpact.qual`
and prints the result (data on stdout or ``--out``, messages on stderr; bad
input exits with code 2).
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from .common import TableFormat, emit, frame_text, say, user_errors, warn

app = typer.Typer(
    help="Qualitative analysis: quotes, code matrices, agreement between coders, REFI-QDA exchange and search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

class ImportMode(str, Enum):
    merge = "merge"
    replace_all = "replace"  # the member is not called `replace`: that would hide str.replace


STUDY = typer.Argument(..., help="Study folder.", show_default=False)
OUT = typer.Option(None, "--out", "-o", help="Write here instead of stdout.")


class QuoteFormat(str, Enum):
    text = "text"
    csv = "csv"
    json = "json"


class By(str, Enum):
    timepoint = "timepoint"
    site = "site"


class Count(str, Enum):
    participants = "participants"
    segments = "segments"


class Level(str, Enum):
    code = "code"
    theme = "theme"


class Unit(str, Enum):
    segment = "segment"
    interview = "interview"
    participant = "participant"


class AgreementLevel(str, Enum):
    character = "character"
    segment = "segment"


class AgreementTable(str, Enum):
    pairs = "pairs"
    alpha = "alpha"


class Order(str, Enum):
    rank = "rank"
    document = "document"


def _load(path: Path):
    from ..study import load_study

    return load_study(path)


def _quotes_text(frame: pd.DataFrame, quote_column: str = "quote") -> str:
    blocks = []
    for rec in frame.to_dict("records"):
        head = f"{rec['interview_id']} [{rec.get('segment_id', '')}] {rec.get('code', '')} ({rec.get('coders', '')})".replace(" []", "").replace(" ()", "")
        body = "\n".join("  " + line for line in str(rec[quote_column]).split("\n"))
        blocks.append(f"{head.strip()}\n{body}\n")
    return "\n".join(blocks)


@app.command()
@user_errors
def quotes(
    study: Path = STUDY,
    code: Optional[List[str]] = typer.Option(None, "--code", help="Code id (repeat for several; includes sub-codes)."),
    theme: Optional[List[str]] = typer.Option(None, "--theme", help="Theme id (repeat for several)."),
    timepoint: Optional[List[str]] = typer.Option(None, "--timepoint", help="Timepoint id (repeat for several)."),
    site: Optional[List[str]] = typer.Option(None, "--site", help="Site id (repeat for several)."),
    participant: Optional[List[str]] = typer.Option(None, "--participant", help="Participant id (repeat for several)."),
    coder: Optional[List[str]] = typer.Option(None, "--coder", help="Coder (repeat for several)."),
    format: QuoteFormat = typer.Option(QuoteFormat.text, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Coded quotes with their interview ids, filtered by code, theme, timepoint, site, participant or coder."""
    from ..qual import quotes as query

    frame = query(_load(study), code=code, theme=theme, timepoint=timepoint, site=site, participant_id=participant, coder=coder)
    say(f"{len(frame)} quote(s)")
    text = _quotes_text(frame) if format is QuoteFormat.text else frame_text(frame, TableFormat(format.value))
    emit(text, out)


@app.command()
@user_errors
def matrix(
    study: Path = STUDY,
    by: By = typer.Option(By.timepoint, "--by", help="Columns: timepoints or sites."),
    count: Count = typer.Option(Count.participants, "--count", help="Count distinct participants or segments."),
    level: Level = typer.Option(Level.code, "--level", help="Rows: codes or themes."),
    coder: Optional[List[str]] = typer.Option(None, "--coder", help="Only these coders' codings."),
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Code (or theme) x timepoint (or site) matrix of participants or segments."""
    from ..qual import code_matrix

    emit(frame_text(code_matrix(_load(study), by=by.value, count=count.value, level=level.value, coder=coder), format), out)


@app.command()
@user_errors
def cooccurrence(
    study: Path = STUDY,
    unit: Unit = typer.Option(Unit.segment, "--unit", help="Where two codes must meet: the same segment, interview or participant."),
    coder: Optional[List[str]] = typer.Option(None, "--coder", help="Only these coders' codings (advised with double coding)."),
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Code x code co-occurrence counts."""
    from ..qual import cooccurrence as query

    emit(frame_text(query(_load(study), unit=unit.value, coder=coder), format), out)


@app.command()
@user_errors
def framework(
    study: Path = STUDY,
    timepoint: Optional[List[str]] = typer.Option(None, "--timepoint", help="Only these timepoints."),
    coder: Optional[List[str]] = typer.Option(None, "--coder", help="Only these coders' codings."),
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="csv: one row per participant, a column per theme; json: one record per cell."),
    out: Optional[Path] = OUT,
) -> None:
    """Framework matrix: participant x theme with the linked segments (interview_id:segment_id) per cell."""
    from ..qual import framework_matrix, framework_wide

    long = framework_matrix(_load(study), timepoint=timepoint, coder=coder)
    emit(frame_text(framework_wide(long) if format is TableFormat.csv else long, format), out)


@app.command()
@user_errors
def agreement(
    study: Path = STUDY,
    coder: Optional[List[str]] = typer.Option(None, "--coder", help="Coders to compare (default: all)."),
    level: Optional[List[AgreementLevel]] = typer.Option(None, "--level", help="character and/or segment (default: both)."),
    format: TableFormat = typer.Option(TableFormat.json, "--format", "-f", help="json: pairs, alpha and warnings; csv: one table (see --table)."),
    table: AgreementTable = typer.Option(AgreementTable.pairs, "--table", help="Table written as CSV: per-pair kappa or alpha."),
    out: Optional[Path] = OUT,
) -> None:
    """Percent agreement and Cohen's kappa per coder pair (code x transcript and pooled), and Krippendorff's alpha."""
    from ..qual import agreement as compute

    levels = tuple(lv.value for lv in level) if level else ("character", "segment")
    result = compute(_load(study), coders=coder, levels=levels)
    for warning in result.warnings:
        warn(warning)
    if format is TableFormat.json:
        emit(json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n", out)
    else:
        emit(frame_text(result.pairs if table is AgreementTable.pairs else result.alpha, format), out)


@app.command("export-qdpx")
@user_errors
def export_qdpx(
    study: Path = STUDY,
    out: Path = typer.Option(..., "--out", "-o", help="The .qdpx file to write."),
) -> None:
    """Export the qualitative project as REFI-QDA 1.5 (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder ..."""
    from ..qual import export_qdpx as export

    path = export(_load(study), out)
    say(f"wrote {path}")


@app.command("export-qdc")
@user_errors
def export_qdc(
    study: Path = STUDY,
    out: Path = typer.Option(..., "--out", "-o", help="The .qdc file to write."),
    accept_loss: bool = typer.Option(False, "--accept-loss", help="Write it even though some text cannot be carried in a .qdc (each item is named)."),
) -> None:
    """Export the codebook as REFI-QDA 1.5 (.qdc); exits 2 naming what a .qdc cannot carry, unless --accept-loss."""
    from ..qual import export_qdc as export
    from ..qual import qual_data
    from ..qual.refi.export import qdc_losses

    loaded = _load(study)
    path = export(loaded, out, accept_loss=accept_loss)
    for problem in qdc_losses(qual_data(loaded).codebook):
        warn(f"lost: {problem}")
    say(f"wrote {path}")


@app.command("import-qdpx")
@user_errors
def import_qdpx(
    project: Path = typer.Argument(..., help="REFI-QDA project (.qdpx).", show_default=False),
    into: Path = typer.Option(..., "--into", help="Study folder to import into."),
    sources: Optional[Path] = typer.Option(None, "--sources", help="sources.csv mapping each source (GUID or name) to an interview_id; `qual inspect` writes a template."),
    mode: ImportMode = typer.Option(ImportMode.merge, "--mode", help="merge: add beside the study's codings (identical ones once); replace: replace them (with a backup)."),
    accept_loss: bool = typer.Option(False, "--accept-loss", help="Import even though some items cannot be carried; the report is kept in qual/imports/."),
    max_size: int = typer.Option(512, "--max-size", min=1, help="Largest uncompressed size of the archive, in MiB."),
) -> None:
    """Import a REFI-QDA project into a study; print the data-loss report (what did not map) on stdout.

    Exits 2, writing nothing, when any coding, source, code, user, note, case,
    variable or set would be lost, unless --accept-loss is given.
    """
    from ..errors import UserInputError
    from ..qual.refi import import_qdpx_into, read_source_map

    if not project.is_file():
        raise UserInputError(f"{project}: no such file")
    source_map = read_source_map(sources) if sources is not None else None
    summary = import_qdpx_into(project, into, source_map=source_map, mode=mode.value, accept_loss=accept_loss, limit=max_size * 1024 * 1024)
    for rel in summary.written:
        say(f"wrote {rel}")
    if summary.backup is not None:
        say(f"replaced files backed up in {summary.backup}")
    imported = summary.imported
    if imported is not None:
        say(
            f"imported {len(imported.transcripts)} transcript(s), {len(imported.codebook.codes)} code(s), "
            f"{len(imported.codings)} coding(s), {len(imported.memos.memos)} memo(s)"
        )
        for rec in imported.sources.to_dict("records"):
            say(f"{rec['interview_id']}: positions counted as {rec['convention']} ({rec['why']})")
    say(summary.note)
    lines = summary.report.lines()
    say(f"data-loss report: {len(summary.report.lost)} item(s) not imported, {len(lines)} note(s) in all")
    if lines:
        typer.echo("\n".join(lines))


@app.command("import-qdc")
@user_errors
def import_qdc(
    codebook: Path = typer.Argument(..., help="REFI-QDA codebook (.qdc) from Taguette, MAXQDA, NVivo ...", show_default=False),
    into: Path = typer.Option(..., "--into", help="Study folder whose qual/codebook.yaml gets a new version."),
    accept_loss: bool = typer.Option(False, "--accept-loss", help="Import even though some items cannot be carried."),
) -> None:
    """Add a .qdc codebook's codes and sets to the study's codebook as a new version (existing codes are kept)."""
    from ..qual.refi import import_qdc_into

    summary = import_qdc_into(codebook, into, accept_loss=accept_loss)
    for rel in summary.written:
        say(f"wrote {rel}")
    say(summary.note)
    if summary.report.lines():
        typer.echo("\n".join(summary.report.lines()))


@app.command("inspect")
@user_errors
def inspect(
    project: Path = typer.Argument(..., help="REFI-QDA project (.qdpx).", show_default=False),
    sources_out: Path = typer.Option(Path("sources.csv"), "--sources-out", help="Where to write the template mapping sources to interview ids."),
    format: TableFormat = typer.Option(TableFormat.csv, "--format", help="csv: the sources table; json: every table (sources, codes, users, cases, variables, sets)."),
    max_size: int = typer.Option(512, "--max-size", min=1, help="Largest uncompressed size of the archive, in MiB."),
) -> None:
    """List a project's sources, codes, users, cases, variables and sets; write a sources.csv template."""
    from ..errors import UserInputError
    from ..qual.refi import check_template_target, inspect_qdpx, sources_template

    if not project.is_file():
        raise UserInputError(f"{project}: no such file")
    check_template_target(sources_out)
    found = inspect_qdpx(project, limit=max_size * 1024 * 1024)
    say(f"origin: {found.origin or '(not given)'}")
    for title in ("sources", "codes", "users", "cases", "variables", "sets"):
        frame = getattr(found, title)
        say(f"{len(frame)} {title}")
    if format is TableFormat.json:
        tables = {t: json.loads(getattr(found, t).to_json(orient="records")) for t in ("sources", "codes", "users", "cases", "variables", "sets")}
        emit(json.dumps({"origin": found.origin} | tables, indent=2, ensure_ascii=False) + "\n", None)
    else:
        emit(frame_text(found.sources, format), None)
    emit(sources_template(found), sources_out)
    say(f"next: fill in interview_id in {sources_out}, then import-qdpx {project} --into STUDY --sources {sources_out}")


@app.command()
@user_errors
def search(
    study: Path = STUDY,
    query: str = typer.Argument(..., help='FTS5 query: words, "a phrase", OR, NOT, prefix*.', show_default=False),
    limit: int = typer.Option(20, "--limit", "-n", help="Maximum number of passages."),
    order: Order = typer.Option(Order.document, "--order", help="In interview order (fast), or best matches first (BM25; slow for very common words)."),
    phrase: bool = typer.Option(False, "--phrase", help="Search the query as one literal phrase."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where the index lives (default STUDY/.peerimpact-cache)."),
    format: QuoteFormat = typer.Option(QuoteFormat.text, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Full-text search across transcripts: matching passages with interview ids and context."""
    from ..qual import search as run

    frame = run(_load(study), query, limit=limit, cache_dir=cache_dir, order=order.value, phrase=phrase)
    say(f"{len(frame)} passage(s)")
    if format is QuoteFormat.text:
        text = "\n".join(f"{r['interview_id']} [{r['start']}, {r['end']})\n  {r['snippet']}\n" for r in frame.to_dict("records"))
    else:
        text = frame_text(frame, TableFormat(format.value))
    emit(text, out)


@app.command()
@user_errors
def turns(
    study: Path = STUDY,
    interview: str = typer.Argument(..., help="Interview id, e.g. S6-PW01-T1.", show_default=False),
    pattern: Optional[str] = typer.Option(
        None, "--pattern",
        help="Regular expression marking a turn, with a group named 'speaker' (default: the study's speakers or turn_pattern, else Interviewer: / PW:).",
    ),
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Speaker turns of one transcript, with their spans in code points."""
    from ..errors import UserInputError
    from ..qual import speaker_turns

    loaded = _load(study)
    if interview not in loaded.transcripts:
        raise UserInputError(f"unknown interview {interview!r}")
    emit(frame_text(speaker_turns(loaded.transcripts[interview].text, pattern or loaded.definition.turn_regex), format), out)


@app.command()
@user_errors
def versions(
    study: Path = STUDY,
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """The codebook's version history, one row per change."""
    from ..qual import qual_data

    book = qual_data(_load(study)).codebook
    rows = []
    for v in book.versions:
        for ch in v.changes:
            rows.append(
                {"version": v.version, "date": None if v.date is None else v.date.isoformat(), "reason": v.reason,
                 "action": ch.action, "code": ch.code, "codes": ";".join(ch.codes or []) or None,
                 "into": ";".join(ch.into_list) or None, "from": ch.from_, "to": ch.to}
            )
    emit(frame_text(pd.DataFrame(rows, columns=["version", "date", "reason", "action", "code", "codes", "into", "from", "to"]), format), out)


@app.command()
@user_errors
def migrate(
    study: Path = STUDY,
    format: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Codings needing a decision after the codebook changed: split codes to recode (and retired codes on stderr)."""
    from ..qual import qual_data

    migration = qual_data(_load(study)).migration
    for rec in migration.log.to_dict("records"):
        say(f"{rec['n_codings']} coding(s) {rec['how']}")
    if len(migration.retired):
        say(f"{len(migration.retired)} coding(s) use retired codes: {', '.join(sorted(set(migration.retired['code'])))}")
    say(f"{len(migration.needs_recoding)} coding(s) need recoding")
    emit(frame_text(migration.needs_recoding, format), out)


app.command("import-codings")(__import__("peerimpact.cli.qual_codings", fromlist=["import_codings"]).import_codings)
__import__("peerimpact.cli.qual_suggest", fromlist=["register"]).register(app)  # qual suggest, qual suggest-eval
