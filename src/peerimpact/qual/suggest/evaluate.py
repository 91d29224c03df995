"""How well suggestions agree with the team's own coders: leave-one-interview-out.

For each transcript the reference coder coded, a model is trained on the
human codings of every *other* transcript and suggests codes for all the
held-out transcript's passages; its suggestions (score at or above the
threshold) are compared with the reference coder's codings of that
transcript, character by character, exactly as two coders are compared by
:func:`peerimpact.qual.agreement` (the same interval and kappa functions).
The ceiling is the human-vs-human kappa on the double-coded transcripts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from ...errors import UserInputError
from ...study.model import Study
from ..agreement import agreement, covered, merge_intervals, overlap
from ..alpha import kappa_2x2, percent_agreement
from .model import THRESHOLD, resolve_params, train
from .rank import candidate_passages, score_passages
from .training import human_codings

EVAL_COLUMNS = [
    "scope", "code", "n_training_segments", "n_interviews", "n_both", "n_suggested_only", "n_human_only", "n_neither",
    "precision", "recall", "percent_agreement", "kappa", "human_kappa", "note",
]


@dataclass
class EvalResult:
    """The evaluation table and what it was computed on.

    Attributes
    ----------
    table : DataFrame
        Columns :data:`EVAL_COLUMNS`; one row per code the reference coder or
        the model used (``scope`` ``code``) and a pooled row over the modelled
        codes (``scope`` ``all``, ``code`` empty). ``n_both`` ..
        ``n_neither`` are the character 2×2 table (suggestions × reference
        coder) summed over the held-out transcripts; ``precision`` and
        ``recall`` are character-level; ``kappa`` is Cohen's kappa of that
        table and ``human_kappa`` the same statistic between the reference
        coder and the second coder on the double-coded transcripts (the
        ceiling). ``n_training_segments`` counts the code's human-coded
        segments in the whole study (each fold trains on those outside its
        held-out transcript).
    suggestions : DataFrame
        Every held-out suggestion (``interview_id, code, score, start, end``).
    reference_coder, second_coder : str or None
    threshold : float
    permuted : bool
        True for the shuffled-label negative control.
    warnings : list of str
    """

    table: pd.DataFrame
    suggestions: pd.DataFrame
    reference_coder: str
    second_coder: str | None
    threshold: float
    permuted: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        def clean(v):
            return None if isinstance(v, float) and math.isnan(v) else v

        return {
            "reference_coder": self.reference_coder, "second_coder": self.second_coder, "threshold": self.threshold,
            "permuted_labels": self.permuted, "warnings": list(self.warnings),
            "table": [{k: clean(v) for k, v in rec.items()} for rec in self.table.to_dict("records")],
        }


def _ratio(num: int, den: int) -> float:
    return math.nan if den == 0 else float(Fraction(num, den))


def _row(scope: str, code: str | None, n_train: int | None, n_iv: int, t: list[int], human: float, note: str | None) -> dict[str, Any]:
    n11, n10, n01, n00 = t
    return {
        "scope": scope, "code": code, "n_training_segments": n_train, "n_interviews": n_iv,
        "n_both": n11, "n_suggested_only": n10, "n_human_only": n01, "n_neither": n00,
        "precision": _ratio(n11, n11 + n10), "recall": _ratio(n11, n11 + n01),
        "percent_agreement": percent_agreement(*t), "kappa": kappa_2x2(*t), "human_kappa": human, "note": note,
    }


def _coders(codings: pd.DataFrame, reference: str | None) -> tuple[str, str | None]:
    counts = codings.groupby("coder").size()
    if counts.empty:
        raise UserInputError("no human codings to evaluate against: code some passages first (qual/codings.csv)")
    ranked = sorted(counts.index, key=lambda c: (-int(counts[c]), c))
    if reference is None:
        reference = ranked[0]
    elif reference not in counts.index:
        raise UserInputError(f"unknown coder {reference!r}; coders: {', '.join(sorted(counts.index))}")
    others = [c for c in ranked if c != reference]
    return reference, (others[0] if others else None)


def _ceiling(study: Study, reference: str, second: str | None, include_suggested: bool) -> tuple[dict[str | None, float], list[str]]:
    if second is None:
        return {}, ["only one coder: no human-vs-human kappa (ceiling)"]
    result = agreement(study, coders=[reference, second], levels=("character",), include_suggested=include_suggested)
    rows = result.pairs[result.pairs["scope"].isin(["code", "all"])]
    return {(None if r["scope"] == "all" else r["code"]): r["kappa"] for r in rows.to_dict("records")}, list(result.warnings)


def suggest_eval(
    study: Study,
    coder: str | None = None,
    threshold: float = THRESHOLD,
    params: dict[str, Any] | None = None,
    permute_seed: int | None = None,
    pattern: str | None = None,
) -> EvalResult:
    """Leave-one-interview-out evaluation of the suggestions against a human coder.

    Parameters
    ----------
    study : Study
    coder : str, optional
        The reference coder (default: the coder with most human codings).
    threshold : float
        Score at or above which a passage is suggested.
    params : dict, optional
        Model parameters (see :data:`peerimpact.qual.suggest.model.DEFAULT_PARAMS`).
    permute_seed : int, optional
        Shuffle the training labels (a negative control: kappa should be near 0).
    pattern : str, optional
        The speaker-turn regular expression (default: the study's ``speakers`` /
        ``turn_pattern`` setting).

    Returns
    -------
    EvalResult

    Notes
    -----
    Only human codings (``origin`` ``human``) are learned from and compared
    with. The character table of code ``c`` in held-out transcript ``t`` of
    ``n`` characters is built from the union ``S`` of the suggested passages
    and the union ``H`` of the reference coder's spans: ``n_both = |S ∩ H|``,
    ``n_neither = n - |S ∪ H|``, using
    :func:`peerimpact.qual.agreement.merge_intervals` and ``overlap`` and
    :func:`peerimpact.qual.alpha.kappa_2x2`, so the kappa equals what
    :func:`peerimpact.qual.agreement` reports for the suggestions entered as
    a coder (``tests/qual/test_qual_suggest_eval.py`` checks this).
    """
    if not 0 < threshold < 1:
        raise UserInputError(f"threshold {threshold!r} must lie strictly between 0 and 1")
    p = resolve_params(params)
    human = human_codings(study)
    reference, second = _coders(human, coder)
    ref = human[human["coder"] == reference]
    held_out = sorted(set(ref["interview_id"]))
    pattern = study.definition.turn_regex if pattern is None else pattern
    full = train(study, p, pattern=pattern)
    warnings = [f"{c}: not modelled ({why})" for c, why in full.skipped.items()]
    tables: dict[str, list[int]] = {}
    n_iv: dict[str, int] = {}
    found = []
    for iid in held_out:
        model = train(study, p, exclude=[iid], permute_seed=permute_seed, pattern=pattern)
        frame = candidate_passages(study, model, [iid])
        hits, _ = score_passages(model, frame, threshold)
        found.append(hits[["interview_id", "code", "score", "start", "end"]])
        length = len(study.transcripts[iid].text)
        mine = ref[ref["interview_id"] == iid]
        for code in sorted(set(full.codes) | set(model.codes) | set(mine["code"])):
            s_union = merge_intervals(zip(hits.loc[hits["code"] == code, "start"], hits.loc[hits["code"] == code, "end"]))
            h_union = merge_intervals(zip(mine.loc[mine["code"] == code, "start"], mine.loc[mine["code"] == code, "end"]))
            both = overlap(s_union, h_union)
            t = [both, covered(s_union) - both, covered(h_union) - both, 0]
            t[3] = length - t[0] - t[1] - t[2]
            tables[code] = [x + y for x, y in zip(tables.get(code, [0, 0, 0, 0]), t)]
            n_iv[code] = n_iv.get(code, 0) + 1
    ceiling, more = _ceiling(study, reference, second, include_suggested=False)
    warnings += more
    rows = []
    pooled = [0, 0, 0, 0]
    for code in sorted(tables):
        modelled = code in full.codes
        note = None if modelled else full.skipped.get(code, "not modelled")
        rows.append(_row("code", code, full.n_segments.get(code, 0), n_iv[code], tables[code], ceiling.get(code, math.nan), note))
        if modelled:
            pooled = [x + y for x, y in zip(pooled, tables[code])]
    rows.append(_row("all", None, sum(full.n_segments.get(c, 0) for c in full.codes), len(held_out), pooled,
                     ceiling.get(None, math.nan), "modelled codes"))
    table = pd.DataFrame(rows, columns=EVAL_COLUMNS)
    found_frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["interview_id", "code", "score", "start", "end"])
    return EvalResult(table, found_frame, reference, second, threshold, permute_seed is not None, warnings)
