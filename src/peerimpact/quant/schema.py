"""The results document's schema, declared once.

Every table the analysis writes into ``results.json`` is declared here with
its fields, types and meaning. The analysis modules take their column order
from these declarations, ``docs/results-schema.md`` is generated from them
(:func:`render_markdown`), and a test checks that a real results document has
exactly these keys and fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | integer | number | boolean, "or null" when it may be missing
    help: str


@dataclass(frozen=True)
class TableSpec:
    key: str
    help: str
    fields: tuple[Field, ...]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _f(name: str, type_: str, help_: str) -> Field:
    return Field(name, type_, help_)


SCHEMA_VERSION = 3

N = "integer"
NUM = "number or null"
STR = "string"

DEMOGRAPHICS = TableSpec(
    "demographics",
    "Table 1. One record per category of each categorical column declared under `demographics` in "
    "`study.yaml` (in the declared category order), and one record per continuous column. Percentages use "
    "the number who answered as denominator (\"25 of 30\").",
    (
        _f("column", STR, "Column of `participants.csv`."),
        _f("label", STR, "Label declared in `study.yaml`."),
        _f("type", STR, "`categorical` or `continuous`."),
        _f("category", "string or null", "The category (categorical columns); null for continuous columns."),
        _f("n", N, "Categorical: participants in this category. Continuous: participants with a value."),
        _f("denominator", N, "Participants who answered this question (non-empty cell)."),
        _f("percent", NUM, "100 * n / denominator (categorical); null for continuous or when nobody answered."),
        _f("n_missing", N, "Participants with an empty cell."),
        _f("n_total", N, "Participants in `participants.csv` (or in the subgroup)."),
        _f("mean", NUM, "Continuous: mean."),
        _f("sd", NUM, "Continuous: standard deviation (n - 1 denominator); null when n < 2."),
        _f("min", NUM, "Continuous: minimum."),
        _f("max", NUM, "Continuous: maximum."),
    ),
)

_WF_STATS = {
    "mean": "mean",
    "sd": "standard deviation (n - 1)",
    "median": "median",
    "min": "minimum",
    "max": "maximum",
    "total": "total",
}


def _stat_fields(prefix: str, what: str, stats: tuple[str, ...]) -> tuple[Field, ...]:
    return tuple(_f(f"{prefix}_{s}", NUM, f"{_WF_STATS[s].capitalize()} of {what}.") for s in stats)


WORKFORCE = TableSpec(
    "workforce",
    "Workforce and contact log, one record for all sites (`site` = `all`) then one per site. Workers are the "
    "participants; a worker's site is their `site` in `participants.csv`. Contacts count only rows with status "
    "`completed` unless stated. Statistics over an empty set are null.",
    (
        _f("site", STR, "`all` or a site id."),
        _f("n_workers", N, "Participants (peer workers)."),
        _f("n_with_employment", N, "Workers with a row in `employment.csv`."),
        _f("n_contracted", N, "Workers on a `contracted` contract."),
        _f("n_bank", N, "Workers on a `bank` (casual) contract."),
        _f("hours_n", N, "Contracted workers with hours per week recorded."),
        *_stat_fields("hours", "contracted hours per week among contracted workers", ("mean", "sd", "min", "max")),
        _f("months_in_post_n", N, "Workers with a start date."),
        *_stat_fields(
            "months_in_post",
            "months in post: (end_date, or the reference date while in post, minus start_date) in days / 30.4375",
            ("mean", "sd", "min", "max"),
        ),
        _f("sick_n", N, "Contracted workers with sick days recorded (an empty cell is unknown, not zero)."),
        _f("sick_none_n", N, "Contracted workers with 0 recorded sick days."),
        _f("sick_days_mean", NUM, "Mean sick days over contracted workers with sick days recorded (zeros included)."),
        _f("sick_any_n", N, "Contracted workers with more than 0 sick days."),
        *_stat_fields("sick_any", "sick days among contracted workers with any", ("median", "min", "max")),
        _f("workers_with_contacts_n", N, "Workers with at least one row in the contact log (any status)."),
        _f("workers_without_contacts_n", N, "Workers with no row in the contact log."),
        _f("people_total", N, "Distinct people allocated to the workers (`allocations.csv`)."),
        *_stat_fields(
            "people_per_worker",
            "distinct people allocated per worker, over workers with contacts",
            ("mean", "min", "max"),
        ),
        *_stat_fields(
            "face_to_face_per_worker",
            "completed face-to-face contacts per worker, over workers with contacts",
            ("mean", "min", "max", "total"),
        ),
        *_stat_fields(
            "telephone_per_worker",
            "completed telephone contacts per worker, over workers with contacts",
            ("mean", "min", "max", "total"),
        ),
        _f("face_to_face_duration_n", N, "Completed face-to-face contacts with a duration."),
        *_stat_fields(
            "face_to_face_duration",
            "duration in minutes of completed face-to-face contacts",
            ("mean", "sd", "median", "min", "max"),
        ),
        _f("telephone_duration_n", N, "Completed telephone contacts with a duration."),
        *_stat_fields(
            "telephone_duration", "duration in minutes of completed telephone contacts", ("mean", "sd", "median", "min", "max")
        ),
        _f("persons_n", N, "People supported: allocated to, or contacted by, a worker of the site."),
        *_stat_fields(
            "contacts_per_person_pre_discharge",
            "completed contacts per person before discharge (people without any count as 0)",
            ("mean", "min", "max"),
        ),
        *_stat_fields(
            "contacts_per_person_post_discharge",
            "completed contacts per person after discharge (people without any count as 0)",
            ("mean", "min", "max"),
        ),
        _f(
            "reference_date",
            "string or null",
            "ISO date used as the end of employment for workers still in post: the latest date anywhere in the "
            "study's tables (consent, employment, allocation and contact dates).",
        ),
    ),
)

SERVICE_USE = TableSpec(
    "service_use",
    "Table 2. Participants using each service at each timepoint where service use was collected, then totals: "
    "records with `service` = `total` hold the column total (sum of `n_used` over services at a timepoint; "
    "present when there are two or more services), records with `timepoint` = `total` the row total (sum over "
    "timepoints; two or more timepoints), and the grand total (when both exist). With `suppress_below: k`, "
    "counts and totals from 1 to k-1 are suppressed (`primary`, shown `<k`), and further counts or totals "
    "(`secondary`, shown `*`) until no suppressed count can be worked out from the visible ones (checked "
    "exactly by linear programming, see `peerimpact.quant.disclosure`); suppressed records have null "
    "`n_used`, `percent` and counts.",
    (
        _f("service", STR, "Service id, or `total`."),
        _f("timepoint", STR, "Timepoint id, or `total`."),
        _f("n_responded", "integer or null", "Participants with any service-use answer at the timepoint (null in totals)."),
        _f("n_used", "integer or null", "Participants who used the service (`used` = 1); null when suppressed."),
        _f("percent", NUM, "100 * n_used / n_responded; null when suppressed and in totals."),
        _f("count_n", "integer or null", "Users with a known `count`; null when suppressed and in totals."),
        _f("count_total", NUM, "Sum of `count` over users; null when suppressed and in totals."),
        _f("count_mean", NUM, "Mean `count` over users with a known count; null when suppressed and in totals."),
        _f("suppression", "string or null", "`primary`, `secondary` or null."),
        _f("display", STR, "What a table shows for `n_used`: the count, `<k` (primary) or `*` (secondary)."),
    ),
)

DESCRIPTIVES = TableSpec(
    "descriptives",
    "Table 3. One record per outcome and timepoint, with the norm and the standardised difference from it: "
    "`std_diff = (mean - norm_mean) / norm_sd` (positive = above the norm). Its 95% CI is the CI of "
    "`mean - norm_mean` divided by `norm_sd`: Welch's from summary statistics when the norm's n is known "
    "(`std_diff_method` = `welch`), otherwise the one-sample t interval treating the norm mean as fixed "
    "(`one_sample`, as R's `t.test(x, mu = norm_mean)`). A missing norm gives nulls, never 0.",
    (
        _f("outcome", STR, "Outcome id, `<instrument>.<subscale>`."),
        _f("instrument", STR, "Instrument id."),
        _f("timepoint", STR, "Timepoint id."),
        _f("n", N, "Participants with a score."),
        _f("mean", NUM, "Mean score."),
        _f("sd", NUM, "Standard deviation (n - 1); null when n < 2."),
        _f("min", NUM, "Minimum score."),
        _f("max", NUM, "Maximum score."),
        _f("norm_mean", NUM, "Norm mean (shipped default or the study's `norms.yaml`)."),
        _f("norm_sd", NUM, "Norm standard deviation."),
        _f("norm_n", "integer or null", "Norm sample size when known."),
        _f("norm_source", "string or null", "Where the norm comes from."),
        _f("norm_diff", NUM, "mean - norm_mean."),
        _f("std_diff", NUM, "(mean - norm_mean) / norm_sd."),
        _f("std_diff_ci_low", NUM, "Lower 95% limit of std_diff."),
        _f("std_diff_ci_high", NUM, "Upper 95% limit of std_diff."),
        _f("std_diff_df", NUM, "Degrees of freedom of the t quantile used for the CI."),
        _f("std_diff_method", "string or null", "`welch`, `one_sample`, or null when there is no CI."),
    ),
)

CHANGE = TableSpec(
    "change",
    "Table 4. Paired change for each declared comparison `[from, to]` and outcome, on the participants with both "
    "scores. Sign convention (`change_direction` in `study.yaml`, repeated in every row): with the default "
    "`later_minus_earlier`, `mean_change = to - from`, so a positive change (and a positive t, CI, effect size "
    "and d_z) is an increase from `from` to `to`, whether or not higher is better for the outcome (for burnout "
    "exhaustion and depersonalisation higher is worse); with `earlier_minus_later`, `mean_change = from - to` "
    "and every signed field (mean_change, CI, t, wilcoxon_v, effect_size, d_z) is of that difference. Note that "
    "the seed study printed decreases as positive effect sizes.",
    (
        _f("outcome", STR, "Outcome id."),
        _f("instrument", STR, "Instrument id (the Holm family)."),
        _f("from", STR, "Earlier timepoint of the comparison."),
        _f("to", STR, "Later timepoint of the comparison."),
        _f("n", N, "Complete pairs."),
        _f("mean_from", NUM, "Mean at `from` over the pairs."),
        _f("mean_to", NUM, "Mean at `to` over the pairs."),
        _f("sd_from", NUM, "SD at `from` over the pairs."),
        _f("sd_to", NUM, "SD at `to` over the pairs."),
        _f("mean_change", NUM, "Mean of the change (to - from, or from - to with `earlier_minus_later`)."),
        _f("sd_change", NUM, "SD of the change."),
        _f("ci_low", NUM, "Lower limit of the 95% CI of the mean change (paired t)."),
        _f("ci_high", NUM, "Upper limit of the 95% CI of the mean change (paired t)."),
        _f("t", NUM, "Paired t statistic (R `t.test(to, from, paired = TRUE)`); null when n < 2 or the changes are constant."),
        _f("df", NUM, "Degrees of freedom, n - 1."),
        _f("p", NUM, "Two-sided p of the paired t-test."),
        _f("p_holm", NUM, "p adjusted by Holm's method across the outcomes of the same instrument within the same comparison."),
        _f("wilcoxon_v", NUM, "Wilcoxon signed-rank statistic V: sum of the ranks of the positive changes, in `change_direction` (zeros dropped)."),
        _f("wilcoxon_p", NUM, "Two-sided p of the Wilcoxon signed-rank test, as R's `wilcox.test(to, from, paired = TRUE)` default."),
        _f(
            "wilcoxon_method",
            "string or null",
            "`exact` (fewer than 50 non-zero changes, no ties, no zeros) or `normal_cc` (normal approximation with "
            "tie-corrected variance and continuity correction), as R decides by default.",
        ),
        _f("effect_size", NUM, "mean_change / effect_size_sd (positive = increase)."),
        _f("effect_size_sd", NUM, "The SD of the `from` scores used as denominator."),
        _f(
            "effect_size_method",
            STR,
            "`paired_baseline` (SD of the `from` scores of the same pairs) or `all_baseline` (SD of every `from` "
            "respondent); set by `effect_size_sd` in `study.yaml`.",
        ),
        _f("d_z", NUM, "Cohen's d_z: mean_change / sd_change (the change in SDs of the change); null when n < 2 or sd_change is 0."),
        _f(
            "eta2_partial",
            NUM,
            "Partial eta squared of the timepoint effect in the paired design, t^2 / (t^2 + df) = SS_timepoint / "
            "(SS_timepoint + SS_residual) of R's `aov(score ~ timepoint + Error(participant / timepoint))`; "
            "0 to 1, unsigned; null when t is.",
        ),
        _f("change_direction", STR, "`later_minus_earlier` (to - from) or `earlier_minus_later` (from - to): the sign of every change field."),
    ),
)

MODELS = TableSpec(
    "models",
    "Linear mixed model per outcome on every available score (not only complete pairs): `score ~ timepoint + "
    "(1 | participant)`, REML, timepoint a fixed factor with the baseline as reference, one random intercept per "
    "participant; one record per non-baseline timepoint. Estimates equal lme4's `lmer(..., REML = TRUE)` (checked "
    "to 1e-4). `p` is the two-sided t test of estimate / se on Satterthwaite's denominator degrees of freedom `df` "
    "and the CI is estimate -/+ qt(0.975, df) * se, as lmerTest reports them (checked to 1e-5, and to 1e-6 "
    "against 50-digit arithmetic); a singular fit, which equals ordinary least squares, uses the least-squares "
    "df (`n_obs` minus the number of timepoints modelled); a fit whose participant variance is at the search's "
    "upper bound (residual variance near 0, warned) has null `df`, `p` and CI.",
    (
        _f("outcome", STR, "Outcome id."),
        _f("term", STR, "Timepoint id whose difference from the reference is estimated."),
        _f("reference", STR, "Reference timepoint (the baseline)."),
        _f("estimate", NUM, "Fixed effect: mean at `term` minus mean at `reference`, adjusted for participant "
           "(`reference` minus `term` with `change_direction: earlier_minus_later`)."),
        _f("se", NUM, "Standard error of the estimate."),
        _f("ci_low", NUM, "Lower limit of the 95% CI (t on `df`)."),
        _f("ci_high", NUM, "Upper limit of the 95% CI (t on `df`)."),
        _f("df", NUM, "Satterthwaite denominator degrees of freedom (least-squares df for a singular fit; null at the "
           "search's upper bound)."),
        _f("p", NUM, "Two-sided p-value of the t test on `df`."),
        _f("n_obs", N, "Scores used by the model."),
        _f("n_participants", N, "Participants with at least one score."),
        _f("sd_participant", NUM, "Estimated SD of the participant random intercepts."),
        _f("sd_residual", NUM, "Estimated residual SD."),
        _f("singular", "boolean", "True when the participant SD is estimated at (or within 1e-4 of) zero; see warnings."),
        _f("engine", STR, "`profiled_reml` (exact profiled REML, the default) or `statsmodels` (MixedLM)."),
    ),
)

RELIABLE_CHANGE = TableSpec(
    "reliable_change",
    "Reliable change per outcome and comparison. Criterion `jacobson_truax`: RCI = (to - from) / S_diff with "
    "S_diff = sqrt(2) * SD_from * sqrt(1 - alpha), SD_from the SD of every respondent at `from`, alpha the "
    "outcome's Cronbach's alpha at `from`; |RCI| > 1.96 is reliable. Criterion `fixed_points`, for outcomes "
    "whose instrument defines a meaningful change (WEMWBS total: 3 points): a change of at least that size. Improvement is an increase when higher is better and a decrease when "
    "higher is worse (`higher_is_better`).",
    (
        _f("outcome", STR, "Outcome id."),
        _f("from", STR, "Earlier timepoint."),
        _f("to", STR, "Later timepoint."),
        _f("criterion", STR, "`jacobson_truax` or `fixed_points`."),
        _f("higher_is_better", "boolean", "Direction of improvement."),
        _f("n", N, "Complete pairs."),
        _f("sd_from", NUM, "SD of every respondent at `from` (jacobson_truax)."),
        _f("alpha", NUM, "Reliability used (jacobson_truax); null when unavailable."),
        _f("s_diff", NUM, "Standard error of the difference (jacobson_truax)."),
        _f("threshold", NUM, "Smallest change counted as reliable, in score units: 1.96 * S_diff, or the fixed points."),
        _f("improved", "integer or null", "Participants with a reliable improvement; null when the criterion cannot be applied."),
        _f("no_change", "integer or null", "Participants without reliable change."),
        _f("deteriorated", "integer or null", "Participants with a reliable deterioration."),
    ),
)

COMPLETION = TableSpec(
    "attrition.completion",
    "Completion by timepoint, for all sites (`site` = `all`) and per site. A participant completed a timepoint "
    "when they have at least one non-missing outcome score there.",
    (
        _f("site", STR, "`all` or a site id."),
        _f("timepoint", STR, "Timepoint id."),
        _f("n_participants", N, "Participants at the site."),
        _f("n_completed", N, "Participants who completed the timepoint."),
        _f("percent", NUM, "100 * n_completed / n_participants."),
    ),
)

ATTRITION_SCORES = TableSpec(
    "attrition.baseline_scores",
    "Baseline scores of those with and without follow-up, for each later timepoint.",
    (
        _f("follow_up", STR, "The later timepoint."),
        _f("group", STR, "`followed_up` (completed the later timepoint) or `not_followed_up`."),
        _f("outcome", STR, "Outcome id."),
        _f("n", N, "Participants of the group with a baseline score."),
        _f("mean", NUM, "Mean baseline score."),
        _f("sd", NUM, "SD of the baseline scores (n - 1)."),
    ),
)

ATTRITION_CHARACTERISTICS = TableSpec(
    "attrition.baseline_characteristics",
    "The Table 1 summary (fields as in `demographics`) of those with and without follow-up, for each later "
    "timepoint.",
    (
        _f("follow_up", STR, "The later timepoint."),
        _f("group", STR, "`followed_up` or `not_followed_up`."),
        *DEMOGRAPHICS.fields,
    ),
)

RELIABILITY = TableSpec(
    "reliability",
    "Internal consistency per outcome and timepoint, from the scoring stage "
    "(`peerimpact.scoring.reliability.reliability`); empty when unavailable (see warnings).",
    (
        _f("outcome", STR, "Outcome id."),
        _f("timepoint", STR, "Timepoint id."),
        _f("n", N, "Complete cases used."),
        _f("n_items", N, "Items in the outcome."),
        _f("alpha", NUM, "Cronbach's alpha."),
        _f("alpha_ci_low", NUM, "Lower 95% limit of alpha."),
        _f("alpha_ci_high", NUM, "Upper 95% limit of alpha."),
        _f("omega", NUM, "McDonald's omega."),
        _f("warning", "string or null", "Why a value is missing or unreliable."),
    ),
)

#: Top-level table keys, in document order. A key with sub-tables is a dict.
TABLES: dict[str, TableSpec | dict[str, TableSpec]] = {
    "demographics": DEMOGRAPHICS,
    "workforce": WORKFORCE,
    "service_use": SERVICE_USE,
    "descriptives": DESCRIPTIVES,
    "change": CHANGE,
    "models": MODELS,
    "reliable_change": RELIABLE_CHANGE,
    "attrition": {
        "completion": COMPLETION,
        "baseline_scores": ATTRITION_SCORES,
        "baseline_characteristics": ATTRITION_CHARACTERISTICS,
    },
    "reliability": RELIABILITY,
}

#: Top-level keys other than the tables, with their meaning.
TOP_LEVEL: dict[str, str] = {
    "schema_version": f"Integer, currently {SCHEMA_VERSION}; increases when a field changes meaning or is removed.",
    "metadata": "Object describing the study and the settings used (below).",
    "warnings": "List of strings: every result that could not be computed or may be unreliable, with the reason.",
}

METADATA: tuple[Field, ...] = (
    _f("title", STR, "Study title."),
    _f("synthetic", "boolean", "True when the data are synthetic."),
    _f("timepoints", "list of objects", "`{id, label, month}` for each timepoint, ordered by month."),
    _f("baseline", STR, "Baseline timepoint id (reference of models)."),
    _f("comparisons", "list of [string, string]", "The `[from, to]` pairs analysed in `change` and `reliable_change`."),
    _f("settings", "object", "`missing_items_allowed`, `effect_size_sd`, `change_direction`, `suppress_below` (integer or null)."),
    _f("software", "object", "`name` (`peerimpact`) and `version`."),
    _f("conventions", "object", "Short statements of the conventions used (`mean_change`, `effect_size`, `std_diff`, `models`)."),
    _f("reference_date", "string or null", "Latest date in the study's tables (ISO); the end of employment for workers still in post."),
)

def conventions(direction: str = "later_minus_earlier") -> dict[str, str]:
    """:data:`CONVENTIONS` as they read under ``change_direction`` (``metadata.conventions`` in results.json)."""
    if direction != "earlier_minus_later":
        return dict(CONVENTIONS)
    return {
        **CONVENTIONS,
        "mean_change": "from - to: positive = decrease from the earlier to the later timepoint",
        "effect_size": "mean_change / SD of the from scores: positive = decrease",
        "models": "estimate = baseline mean minus timepoint mean; p and CI use t on Satterthwaite's df (as lmerTest)",
    }


CONVENTIONS = {
    "mean_change": "to - from: positive = increase from the earlier to the later timepoint",
    "effect_size": "mean_change / SD of the from scores: positive = increase",
    "std_diff": "(mean - norm_mean) / norm_sd: positive = above the norm",
    "models": "estimate = timepoint mean minus baseline mean; p and CI use t on Satterthwaite's df (as lmerTest)",
}


METHODS = (
    "Paired t-test (`change`: t, df, p, CI) as R's `t.test(to, from, paired = TRUE)`, including its edge cases "
    "(fewer than 2 pairs or constant changes: null). Checked against R to 1e-9 relative "
    "(`tests/oracle/quant_change.R`) and against R's `sleep` example.",
    "Wilcoxon signed-rank p as R's `wilcox.test(to, from, paired = TRUE)` default: zero changes dropped; exact "
    "when fewer than 50 non-zero changes remain with no ties and no zeros, otherwise the normal approximation "
    "with tie-corrected variance and continuity correction. Checked against R to 1e-9.",
    "Holm adjustment as R's `p.adjust(p, \"holm\")` within each instrument and comparison. Checked against R.",
    "Effect size = mean_change / SD of the `from` scores (same pairs, or all `from` respondents with "
    "`effect_size_sd: all_baseline`); positive = increase. The seed study printed decreases as positive.",
    "Cohen's d_z = mean_change / sd_change, and partial eta squared = t^2 / (t^2 + df), the paired design's "
    "SS_timepoint / (SS_timepoint + SS_residual). Checked against R to 1e-9 (`mean(d) / sd(d)`, and the sums of "
    "squares of `aov(score ~ timepoint + Error(participant / timepoint))`) in `tests/oracle/quant_change.R`.",
    "`change_direction: earlier_minus_later` in `study.yaml` reverses every change (from - to): mean_change, its CI, "
    "t, V, effect_size, d_z and the mixed models' estimates and CIs; p-values and eta squared are unchanged.",
    "Standardised difference from the norm: (mean - norm_mean) / norm_sd, 95% CI from Welch's interval when "
    "the norm's n is known, else the one-sample t interval. Checked against R (`t.test(x, mu = norm_mean)`, and "
    "the Welch-Satterthwaite formula evaluated in R) in `tests/oracle/quant_descriptives.R`.",
    "Mixed models by exact profiled REML (closed form per pattern of answered timepoints, "
    "`peerimpact.quant.reml`); estimates and SEs equal lme4's `lmer(score ~ timepoint + (1 | participant), "
    "REML = TRUE)` to 1e-4 (`tests/oracle/quant_lmer.R`). p is the t test and the CI the t interval on "
    "Satterthwaite's denominator degrees of freedom, checked against lmerTest's to 1e-5 (1e-3 where the "
    "participant SD is under 5% of the residual SD, where lmerTest's own numerical derivatives are coarser) and "
    "against the same formula in 50-digit arithmetic to 1e-6; in a complete balanced design they reduce to the "
    "repeated-measures ANOVA error df, (n - 1)(t - 1), as a test "
    "checks.",
    "Reliable change (Jacobson & Truax): |RCI| > 1.96 with S_diff = sqrt(2) * SD_from * sqrt(1 - alpha); "
    "checked against the same formula in R.",
    "Disclosure control audited exactly by linear programming and, in the tests, by brute-force enumeration.",
)


def _table_md(spec: TableSpec, level: str) -> list[str]:
    lines = [f"{level} `{spec.key}`", "", spec.help, "", "| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.type} | {f.help} |" for f in spec.fields]
    lines.append("")
    return lines


def render_markdown() -> str:
    """The text of ``docs/results-schema.md`` (a test keeps the file equal to it)."""
    lines = [
        "# Results document (`results.json`)",
        "",
        "<!-- Generated from src/peerimpact/quant/schema.py by peerimpact.quant.schema.render_markdown(); "
        "do not edit by hand: tests/quant/test_quant_results.py fails when this file and the code differ. -->",
        "",
        "`peerimpact analyse STUDY --out results.json` writes one JSON object. Numbers are never rounded; a "
        "value that could not be computed is `null` (never 0 and never NaN). Every table is a list of records "
        "(objects) with exactly the fields listed. In Python the same tables are pandas DataFrames in "
        "`peerimpact.quant.analyse(study).tables`.",
        "",
        "## Top level",
        "",
        "| Key | Meaning |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {v} |" for k, v in TOP_LEVEL.items()]
    for key, value in TABLES.items():
        if isinstance(value, dict):
            lines.append(f"| `{key}` | Object with tables {', '.join(f'`{s}`' for s in value)}. |")
        else:
            lines.append(f"| `{key}` | Table (list of records). |")
    lines += ["", "## `metadata`", "", "| Field | Type | Meaning |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {f.type} | {f.help} |" for f in METADATA]
    lines += ["", "## How the numbers are computed and checked", ""]
    lines += [f"- {m}" for m in METHODS]
    lines += ["", "## Tables", ""]
    for key, value in TABLES.items():
        if isinstance(value, dict):
            lines += [f"### `{key}`", "", f"An object with {len(value)} tables.", ""]
            for spec in value.values():
                lines += _table_md(spec, "####")
        else:
            lines += _table_md(value, "###")
    return "\n".join(lines).rstrip() + "\n"
