"""``peerimpact qual suggest`` and ``qual suggest-eval``: code suggestions learned on this machine, and how well they agree.

Thin wrappers over :mod:`peerimpact.qual.suggest`; :func:`register` adds
them to the ``qual`` group (one line in :mod:`peerimpact.cli.qual`). This
module does not import ``cli.qual``, so the two form no import cycle.
"""

from __future__ import annotations

import json
import math
from enum import Enum
from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from ..report import fmt
from .common import emit, say, user_errors, warn

STUDY = typer.Argument(..., help="Study folder.", show_default=False)
OUT = typer.Option(None, "--out", "-o", help="Write here instead of stdout.")


def _load(path: Path):
    from ..study import load_study

    return load_study(path)


def register(app: typer.Typer) -> None:
    """Add ``suggest`` and ``suggest-eval`` to the ``qual`` command group ``app``."""
    app.command("suggest")(suggest)
    app.command("suggest-eval")(suggest_eval)


class SuggestFormat(str, Enum):
    table = "table"
    json = "json"


class EvalFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _short(text: str, width: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def suggestions_table(frame: pd.DataFrame) -> str:
    """Suggestions as an aligned text table; the reason is the most similar human-coded segment."""
    if frame.empty:
        return "(no suggestions)\n"
    shown_frame = pd.DataFrame({
        "interview_id": frame["interview_id"],
        "rank": frame["rank"],
        "code": frame["code"],
        "score": [f"{s:.3f}" for s in frame["score"]],
        "span": [f"[{s}, {e})" for s, e in zip(frame["start"], frame["end"])],
        "passage": [_short(t, 60) for t in frame["text"]],
        "most similar coded segment": [
            f"{ex[0]['interview_id']}:{ex[0]['segment_id']} ({ex[0]['similarity']:.2f})" if ex else "" for ex in frame["examples"]
        ],
    })
    return shown_frame.to_string(index=False) + "\n"


def eval_table(frame: pd.DataFrame) -> str:
    """The evaluation as an aligned text table (three decimals)."""
    def f3(v):
        # the report's rounding (half away from zero on the shortest decimal form), so the
        # printed table and the report's table agree digit for digit
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return fmt.num(v, 3).replace(fmt.MINUS, "-")

    shown_frame = pd.DataFrame({
        "code": ["(pooled)" if s == "all" else c for s, c in zip(frame["scope"], frame["code"])],
        "n_training_segments": frame["n_training_segments"],
        "precision": [f3(v) for v in frame["precision"]],
        "recall": [f3(v) for v in frame["recall"]],
        "kappa": [f3(v) for v in frame["kappa"]],
        "human_kappa": [f3(v) for v in frame["human_kappa"]],
        "note": frame["note"].fillna(""),
    })
    return shown_frame.to_string(index=False) + "\n"


@user_errors
def suggest(
    study: Path = STUDY,
    interview: Optional[List[str]] = typer.Option(None, "--interview", help="Interview id (repeat for several; default: all)."),
    code: Optional[List[str]] = typer.Option(None, "--code", help="Code id (repeat for several; default: every modelled code)."),
    threshold: float = typer.Option(0.5, "--threshold", help="Minimum score (0-1) of a suggestion."),
    format: SuggestFormat = typer.Option(SuggestFormat.table, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Suggest codes for uncoded passages, learned from the study's own human codings (on this machine only)."""
    from ..qual.suggest import suggest as run

    result = run(_load(study), interviews=interview, codes=code, threshold=threshold)
    say(f"model {result.model.version}: {len(result.model.codes)} code(s) modelled; {len(result.suggestions)} suggestion(s)")
    for c, why in result.model.skipped.items():
        say(f"{c}: not modelled ({why})")
    for w in result.warnings:
        warn(w)
    if format is SuggestFormat.json:
        emit(json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n", out)
    else:
        emit(suggestions_table(result.suggestions), out)


@user_errors
def suggest_eval(
    study: Path = STUDY,
    coder: Optional[str] = typer.Option(None, "--coder", help="Reference coder (default: the coder with most codings)."),
    threshold: float = typer.Option(0.5, "--threshold", help="Score at or above which a passage is suggested."),
    shuffle_labels: bool = typer.Option(False, "--shuffle-labels", help="Negative control: train on shuffled codes (kappa should be near 0)."),
    format: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f", help="Output format."),
    out: Optional[Path] = OUT,
) -> None:
    """Leave-one-interview-out: precision, recall and character-level kappa of the suggestions against a coder."""
    from ..qual.suggest import suggest_eval as run

    result = run(_load(study), coder=coder, threshold=threshold, permute_seed=0 if shuffle_labels else None)
    say(
        f"reference coder {result.reference_coder}; ceiling: {result.second_coder or 'none'}; threshold {result.threshold:g}"
        + ("; labels shuffled (negative control)" if result.permuted else "")
    )
    for w in result.warnings:
        warn(w)
    if format is EvalFormat.json:
        emit(json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n", out)
    elif format is EvalFormat.csv:
        emit(result.table.to_csv(index=False, lineterminator="\n"), out)
    else:
        emit(eval_table(result.table), out)
