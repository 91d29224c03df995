"""A methods section written from what was actually computed.

Every figure in these paragraphs (sample sizes, the missing-item rule, the
number of prorated scores, the tests, the effect-size formula and its sign,
the norm sources, the qualitative corpus) is read from the study, the scores
or the analysis results; nothing is boilerplate that could drift from the
numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import empty, fmt
from .labels import Labels, instrument_id
from .tables_change import effect_size_note
from .tables_suggest import suggest_eval_sentence


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return fmt.plural(n, word, plural)


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def sample_paragraph(study: Any, completion: pd.DataFrame, labels: Labels) -> str:
    d = study.definition
    enrolled = int(completion["enrolled"].max()) if len(completion) else len(study.participants)
    n_sites = study.participants["site"].nunique() if "site" in study.participants else len(d.sites)
    q = _join([f"{fmt.count_or_none(r.questionnaires)} at {labels.timepoint(r.timepoint)}" for r in completion.itertuples(index=False)])
    text = fmt.sentence(f"{_plural(enrolled, 'participant')} {'was' if enrolled == 1 else 'were'} enrolled at {_plural(int(n_sites), 'site')}.")
    if len(completion) and int(completion["questionnaires"].sum()) == 0:
        text += " No questionnaires have been returned yet."
    else:
        text += f" Questionnaires were returned by {q}."
    n_int = int(completion["interviews"].sum()) if "interviews" in completion else 0
    if n_int:
        per = _join([f"{fmt.count_or_none(r.interviews)} at {r.timepoint}" for r in completion.itertuples(index=False)])
        text += f" {_plural(n_int, 'interview')} {_were(n_int)} transcribed ({per})."
    if study.synthetic:
        text += " All data in this report are synthetic."
    return text


def scoring_paragraph(study: Any, scores: pd.DataFrame | None, labels: Labels) -> str:
    d = study.definition
    k = d.missing_items_allowed
    item_scored: list[str] = []
    prescored: list[str] = []
    for inst_id, inst in (study.instruments or {}).items():
        if getattr(inst, "kind", "questionnaire") != "questionnaire":
            continue
        name = f"{labels.instrument(inst_id)} ({labels.instrument_short(inst_id)})"
        (item_scored if getattr(inst, "has_item_key", True) else prescored).append(name)
    parts = []
    if item_scored:
        parts.append(
            f"{_join(item_scored)} {'was' if len(item_scored) == 1 else 'were'} scored from item responses. "
            + (
                "A subscale with any missing item was set to missing."
                if k == 0
                else f"A subscale with more than {_plural(k, 'missing item')} was set to missing; one with {k} or fewer "
                "missing was prorated (sum scales: mean of the answered items times the number of items; mean scales: the mean "
                "of the answered items; converted scores such as SWEMWBS only when every item was answered)."
            )
        )
    if prescored:
        parts.append(f"{_join(prescored)} {'was' if len(prescored) == 1 else 'were'} entered as pre-scored subscale means (their item keys are licensed).")
    if scores is not None and len(scores) and "status" in scores:
        counts = scores["status"].value_counts()
        scored = int(counts.get("complete", 0) + counts.get("prorated", 0))
        parts.append(
            f"Of {scored + int(counts.get('too_many_missing', 0))} item-scored subscale scores, "
            f"{fmt.count_or_none(counts.get('prorated', 0))} were prorated and {fmt.count_or_none(counts.get('too_many_missing', 0))} set to missing "
            "for too many missing items."
        )
    return " ".join(parts)


def analysis_paragraph(study: Any, results: Any, labels: Labels) -> str:
    d = study.definition
    if not empty.has_scores(results):
        return fmt.sentence(f"no outcome could be analysed: {empty.no_scores(study)}.")
    pairs = _join([f"{a} to {b}" for a, b in d.comparison_pairs])
    text = (
        "Each outcome was summarised at each timepoint as n, mean (SD) and range, and set beside a published norm where "
        "one exists (sources in the notes to the outcomes table), with a standardised difference from the norm. "
        f"Paired change from {pairs} was tested with paired t-tests on the participants with both scores "
        "(two-sided, 95% confidence intervals), with Wilcoxon signed-rank tests alongside and Holm's correction across "
        "the outcomes of each instrument within a comparison. " + effect_size_note(results, study)
    )
    models = getattr(results, "models", None)
    if models is not None and len(models):
        text += (
            " Beyond the seed study, every available observation was analysed with a linear mixed model per outcome "
            f"(random intercept per participant, timepoint as a fixed factor with {d.baseline_id} as reference, REML)."
        )
    rel = getattr(results, "reliability", None)
    if rel is not None and len(rel):
        outs = _join(sorted({labels.instrument_short(instrument_id(o)) for o in rel["outcome"].unique()}))
        text += f" Internal consistency of the item-scored outcomes ({outs}) is given as Cronbach's alpha with a Feldt 95% CI and McDonald's omega."
    rc = getattr(results, "reliable_change", None)
    if rc is not None and len(rc):
        text += " Reliable change per participant used the Jacobson–Truax index with the baseline SD and the outcome's alpha."
    return text


def norms_paragraph(results: Any, labels: Labels) -> str:
    desc = results.descriptives
    if "norm_source" not in desc or not empty.has_scores(results):
        return ""
    sources: dict[str, list[str]] = {}
    for o, src in desc.dropna(subset=["norm_source"]).drop_duplicates("outcome")[["outcome", "norm_source"]].itertuples(index=False):
        sources.setdefault(str(src), []).append(labels.outcome_long(str(o)))
    missing = sorted(set(desc["outcome"]) - set(desc.dropna(subset=["norm_mean"])["outcome"]))
    text = " ".join(f"Norms for {_join(v)}: {k}." for k, v in sources.items())
    if missing:
        text += f" No norm was available for {_join([labels.outcome_long(o) for o in labels.outcome_order(missing)])}."
    return text.strip()


def qualitative_paragraph(study: Any, segments: pd.DataFrame) -> str:
    if not study.transcripts:
        return ""
    cb = study.codebook or {}
    n_codes = len(cb.get("codes") or [])
    n_themes = len(cb.get("themes") or [])
    version = cb.get("version")
    coders = sorted(set(segments["coder"])) if len(segments) else []
    text = (
        f"{_plural(len(study.transcripts), 'interview transcript')} {_were(len(study.transcripts))} coded with a codebook of {_plural(n_codes, 'code')} "
        f"gathered into {_plural(n_themes, 'theme')}"
        + (f" (codebook version {version})" if version is not None else "")
        + f"; {_plural(int(segments['segment_id'].nunique()) if len(segments) else 0, 'segment')} were coded"
        + (f" by {_plural(len(coders), 'coder')} ({', '.join(coders)})" if coders else "")
        + ". A participant counts as coded under a theme at a timepoint when any coder applied any of the theme's codes "
        "to their interview at that timepoint."
    )
    if len(coders) >= 2:
        text += " Agreement between coders is reported as percent agreement, Cohen's kappa and Krippendorff's alpha."
    return text + suggestions_sentence(study)


def suggestions_sentence(study: Any) -> str:
    """How many codings were accepted code suggestions; empty when the codings record no ``origin``."""
    codings = study.codings
    if "origin" not in codings.columns:
        return ""
    suggested = codings["origin"].eq("suggested")
    n = int(suggested.sum())
    if n == 0:
        return " No coding came from a code suggestion."
    versions = sorted(set(codings.loc[suggested, "model_version"].dropna())) if "model_version" in codings.columns else []
    return (
        f" {_plural(n, 'coding')} of {len(codings)} {_were(n)} code suggestions accepted by a coder (learned on this computer "
        f"from the team's human codings; model {_join(versions) or 'version not recorded'}); agreement statistics include them."
    )


def methods_paragraphs(
    study: Any, results: Any, completion: pd.DataFrame, scores: pd.DataFrame | None, segments: pd.DataFrame,
    labels: Labels | None = None, suggest_eval: Any = None,
) -> list[str]:
    """The methods section as paragraphs, in order: sample, scoring, analysis, norms, qualitative.

    ``suggest_eval`` (a :class:`peerimpact.qual.suggest.EvalResult`, when the report was asked for it) adds a
    sentence on how the code suggestions' agreement with the coders was measured.
    """
    labels = labels or Labels(study)
    paras = [
        sample_paragraph(study, completion, labels),
        scoring_paragraph(study, scores, labels),
        analysis_paragraph(study, results, labels),
        norms_paragraph(results, labels),
        qualitative_paragraph(study, segments) + suggest_eval_sentence(suggest_eval),
    ]
    return [p for p in paras if p]
