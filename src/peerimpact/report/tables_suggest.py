"""Agreement of code suggestions with human coders: the opt-in table of ``peerimpact report --suggest-eval``.

Formatted from :func:`peerimpact.qual.suggest.suggest_eval`, the computation
behind ``peerimpact qual suggest-eval``, with the same defaults (reference
coder: the coder with most human codings; threshold 0.5), so the table shows
the numbers that command prints, to the same three decimals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UserInputError
from . import empty, fmt
from .document import MissingTable
from .table_model import ReportTable

if TYPE_CHECKING:
    from ..qual.suggest import EvalResult

KEY = "qual_suggest_eval"
TITLE = "Agreement of code suggestions with human coders (leave-one-interview-out)"
#: Decimals of precision, recall and kappa: those ``qual suggest-eval`` prints.
DECIMALS = 3


def evaluate_suggestions(study: Any) -> tuple[EvalResult | None, str | None]:
    """Run the leave-one-interview-out evaluation with ``qual suggest-eval``'s defaults.

    Returns
    -------
    result : EvalResult or None
        ``None`` when the study cannot be evaluated.
    reason : str or None
        Why not (e.g. no human codings), shown in place of the table.
    """
    from ..qual.suggest import suggest_eval  # only when asked for: the report does not otherwise load the model code

    if not study.transcripts:
        return None, "the study has no interview transcripts"
    try:
        return suggest_eval(study), None
    except UserInputError as exc:
        return None, str(exc)


def suggest_eval_table(study: Any, result: EvalResult) -> ReportTable:
    """One row per code the reference coder or the model used, then the pooled row over the modelled codes."""
    names = {str(c["id"]): str(c.get("name", c["id"])) for c in (study.codebook or {}).get("codes") or []}
    rows, ids = [], []
    for r in result.table.to_dict("records"):
        pooled = r["scope"] == "all"
        code = None if pooled else str(r["code"])
        note = r["note"]
        rows.append((
            "All modelled codes" if code is None else names.get(code, code),
            fmt.count(r["n_training_segments"]),
            fmt.num(r["precision"], DECIMALS),
            fmt.num(r["recall"], DECIMALS),
            fmt.num(r["kappa"], DECIMALS),
            fmt.num(r["human_kappa"], DECIMALS),
            "" if pooled or fmt.is_missing(note) else str(note),
        ))
        ids.append("all" if code is None else code)
    ceiling = (
        f"Human-vs-human kappa: coders {result.reference_coder} and {result.second_coder} on the transcripts both coded."
        if result.second_coder
        else "Human-vs-human kappa: not available, only one coder coded."
    )
    return ReportTable(
        key=KEY,
        title=TITLE,
        columns=("Code", "Training segments", "Precision", "Recall", "Cohen's kappa", "Human-vs-human kappa", "Note"),
        rows=tuple(rows),
        notes=(
            f"Each transcript coded by {result.reference_coder} is held out in turn; a model trained on the human codings of "
            f"every other transcript suggests the held-out transcript's passages scoring at least {result.threshold:g}, which are "
            f"compared with {result.reference_coder}'s codings character by character. Precision, recall and Cohen's kappa are "
            "from the 2 × 2 character table summed over the held-out transcripts; the pooled row sums the modelled codes. "
            "Training segments: the code's human-coded segments in the whole study. " + ceiling,
            "The same numbers as peerimpact qual suggest-eval.",
        ),
        row_ids=tuple(ids),
        row_id_name="code",
        numeric=(False, True, True, True, True, True, False),
    )


def suggest_eval_block(study: Any, result: EvalResult | None, reason: str | None) -> ReportTable | MissingTable:
    """The table, or one sentence saying why there is none."""
    table = suggest_eval_table(study, result) if result is not None else None
    return empty.or_sentence(table, KEY, TITLE, reason or "no code could be evaluated")


def suggest_eval_sentence(result: EvalResult | None) -> str:
    """The methods sentence on how the suggestions' agreement was measured (empty when not evaluated)."""
    if result is None:
        return ""
    n = int(result.table.loc[result.table["scope"] == "all", "n_interviews"].iloc[0])
    return (
        f" Code suggestions (learned on this computer from the team's human codings) were evaluated leave-one-interview-out: "
        f"each transcript coded by {result.reference_coder} (n = {n}) was held out in turn, and the passages a model trained on "
        f"every other transcript's human codings suggested (score at least {result.threshold:g}) were compared with "
        f"{result.reference_coder}'s codings by character-level precision, recall and Cohen's kappa"
        + (f", against the kappa between {result.reference_coder} and {result.second_coder} as a ceiling." if result.second_coder else ".")
    )
