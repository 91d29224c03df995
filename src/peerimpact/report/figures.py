"""Report figures, drawn with matplotlib's object API on the Agg/SVG canvases.

No ``pyplot`` (no global state, no GUI backend). Output is byte-stable: SVG
ids are salted with a fixed ``svg.hashsalt``, the date/creator metadata are
dropped, and text is kept as text (``svg.fonttype: none``) so the SVG is small
and searchable. PNG metadata carry no software version.

Colours are the Okabe-Ito palette (distinguishable with colour-vision
deficiency); every figure has generated alt text stating what it shows.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import MaxNLocator
from scipy import stats

from . import fmt
from .document import Figure
from .labels import Labels, instrument_id
from .tables_change import difference_words, falls_are, reversed_direction

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
NORM_COLOUR = "#BBBBBB"
RC: dict[Any, Any] = {  # matplotlib types rc_context keys as a Literal of every rc name
    "svg.hashsalt": "peerimpact",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "path.simplify": False,
    # a fixed title position: automatic placement measures every tick label again
    "axes.titley": 1.02,
    "axes.titlepad": 2.0,
}
PNG_DPI = 150


def render(fig: MplFigure, key: str, caption: str, alt: str) -> Figure:
    """Serialise a matplotlib figure to SVG and PNG bytes."""
    with matplotlib.rc_context(RC):
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    width = float(fig.get_figwidth())
    return Figure(key=key, caption=caption, alt=alt, svg=svg.getvalue(), png=png.getvalue(), width_in=width)


def _new(width: float, height: float) -> MplFigure:
    """A figure without a layout engine: margins are set explicitly (constrained
    layout would re-measure every text twice per save and double the cost)."""
    with matplotlib.rc_context(RC):
        return MplFigure(figsize=(width, height))


def _margins(fig: MplFigure, left: float, right: float, top: float, bottom: float, **extra: float) -> None:
    """Set margins in inches (converted to figure fractions)."""
    w, h = fig.get_figwidth(), fig.get_figheight()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, **extra)


def _label_width(labels: Sequence[str], font_size: float = 9) -> float:
    """Approximate width in inches of the longest label (DejaVu Sans averages ~0.55 em per character)."""
    longest = max((len(str(x)) for x in labels), default=0)
    return longest * font_size * 0.55 / 72


def mean_ci(n: float, mean: float, sd: float, level: float = 0.95) -> tuple[float, float]:
    """t-based CI of a mean from its summary: ``mean ± t(n-1) * sd / sqrt(n)``.

    NaN when ``n < 2``. Checked against R ``t.test(x)$conf.int`` in the tests.
    """
    if fmt.is_missing(n) or n < 2 or fmt.is_missing(sd):
        return float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


# ---------------------------------------------------------------- trajectories
def trajectory_figures(results: Any, study: Any, labels: Labels) -> list[Figure]:
    """One figure per instrument: a panel per outcome, mean and 95% CI by timepoint, norm as a band."""
    desc = results.descriptives
    outcomes = labels.outcome_order([str(o) for o in desc["outcome"].unique()])
    by_inst: dict[str, list[str]] = {}
    for o in outcomes:
        by_inst.setdefault(instrument_id(o), []).append(o)
    tps = [t for t in study.definition.timepoint_ids if t in set(desc["timepoint"])]
    if not tps:  # no scores at any timepoint: nothing to draw
        return []
    months = [labels.month(t) for t in tps]
    span = (months[-1] - months[0]) or 1.0
    idx = desc.set_index(["outcome", "timepoint"])
    figures = []
    for inst, outs in by_inst.items():
        ncols = min(3, len(outs))
        nrows = math.ceil(len(outs) / ncols)
        fig = _new(2.3 * ncols + 0.3, 1.9 * nrows + 0.2)
        same_scale = len({_score_range(study, o) for o in outs}) == 1 and _score_range(study, outs[0]) is not None
        with matplotlib.rc_context(RC):
            axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=same_scale)
            _margins(fig, 0.45, 0.1, 0.4, 0.3, wspace=0.35 / 1.9 * 2.3, hspace=0.55)
            alt_bits = []
            for k, ax in enumerate(axes.flat):
                if k >= len(outs):
                    ax.set_visible(False)
                    continue
                o = outs[k]
                rows = [idx.loc[(o, t)] if (o, t) in idx.index else None for t in tps]
                means = np.array([np.nan if r is None else float(r["mean"]) for r in rows])
                cis = [(np.nan, np.nan) if r is None else _row_ci(r) for r in rows]
                lo = means - np.array([c[0] for c in cis])
                hi = np.array([c[1] for c in cis]) - means
                norm = next(((float(r["norm_mean"]), float(r["norm_sd"])) for r in rows if r is not None and not fmt.is_missing(r.get("norm_mean"))), None)
                if norm is not None:
                    sd = 0.0 if fmt.is_missing(norm[1]) else norm[1]
                    ax.axhspan(norm[0] - sd, norm[0] + sd, color=NORM_COLOUR, alpha=0.35, linewidth=0)
                    ax.axhline(norm[0], color="#777777", linestyle="--", linewidth=0.8)
                # a line with markers and plain vertical CI bars: far fewer artists than errorbar()
                ax.vlines(months, means - np.nan_to_num(lo), means + np.nan_to_num(hi), color=PALETTE[0], linewidth=1.2)
                ax.plot(months, means, color=PALETTE[0], marker="o", markersize=4, linewidth=1.2)
                ax.set_title(textwrap.fill(labels.outcome(o), 30))
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
                if k == 0:
                    ax.set_xticks(months, tps)
                    ax.set_xlim(months[0] - 0.1 * span, months[-1] + 0.1 * span)
                dp = fmt.decimals_for(list(means))
                alt_bits.append(f"{labels.outcome(o)}: " + ", ".join(f"{t} {fmt.num(m, dp)}" for t, m in zip(tps, means, strict=False)))
        name = labels.instrument(inst)
        alt = (
            f"Line charts, one per {labels.instrument_short(inst)} outcome, of the mean score at each timepoint "
            f"with 95% confidence intervals; a grey band marks the norm mean plus or minus one SD where a norm exists. "
            "Means: " + "; ".join(alt_bits) + "."
        )
        caption = f"{name}: mean score and 95% CI by timepoint (x axis in months since the start); grey band = norm mean ± 1 SD, dashed line = norm mean."
        figures.append(render(fig, f"trajectories_{inst}", caption, alt))
    return figures


def _score_range(study: Any, outcome: str) -> tuple[float, float] | None:
    inst, _, sub = outcome.partition(".")
    d = (study.instruments or {}).get(inst)
    try:
        return d.score_range(sub) if d is not None else None
    except (KeyError, ValueError, AttributeError):
        return None


def _row_ci(r: pd.Series) -> tuple[float, float]:
    if "ci_low" in r.index and not fmt.is_missing(r.get("ci_low")):
        return float(r["ci_low"]), float(r["ci_high"])
    return mean_ci(float(r["n"]), float(r["mean"]), float(r["sd"]))


# ---------------------------------------------------------------- forest plot
def effect_size_ci(r: dict) -> tuple[float, float]:
    """95% interval of the effect size: the change CI divided by the effect size's SD.

    ``(ci_low / effect_size_sd, ci_high / effect_size_sd)``: the SD is treated
    as fixed, so the interval ignores the SD's own uncertainty (stated in the
    figure caption). NaN when the SD is missing or zero.
    """
    sd = r.get("effect_size_sd")
    if sd is None or fmt.is_missing(sd) or float(sd) == 0 or fmt.is_missing(r.get("ci_low")):
        return float("nan"), float("nan")
    return float(r["ci_low"]) / float(sd), float(r["ci_high"]) / float(sd)


def forest_figure(results: Any, study: Any, labels: Labels) -> Figure:
    """Effect size per outcome, one marker (with interval) per comparison."""
    ch = results.change
    outcomes = labels.outcome_order([str(o) for o in ch["outcome"].unique()])
    pairs = [tuple(c) for c in study.definition.comparison_pairs if ((ch["from"] == c[0]) & (ch["to"] == c[1])).any()]
    height = 0.26 * len(outcomes) + 1.0
    fig = _new(6.5, height)
    alt_bits = []
    ylabels = [labels.outcome_long(o) for o in outcomes]
    with matplotlib.rc_context(RC):
        ax = fig.subplots()
        _margins(fig, _label_width(ylabels) + 0.2, 0.15, 0.3, 0.45)
        ax.axvline(0, color="#555555", linewidth=0.8)
        step = 0.6 / max(1, len(pairs))
        for j, (a, b) in enumerate(pairs):
            sub = ch[(ch["from"] == a) & (ch["to"] == b)].set_index("outcome")
            ys, xs, lo, hi = [], [], [], []
            for i, o in enumerate(outcomes):
                if o not in sub.index:
                    continue
                r = sub.loc[o].to_dict()
                es = float(r["effect_size"]) if not fmt.is_missing(r["effect_size"]) else np.nan
                es_low, es_high = effect_size_ci(r)
                ys.append(i + (j - (len(pairs) - 1) / 2) * step)
                xs.append(es)
                lo.append(es - es_low if not np.isnan(es_low) else 0.0)
                hi.append(es_high - es if not np.isnan(es_high) else 0.0)
            ax.errorbar(xs, ys, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], fmt="o", markersize=4, capsize=2, linewidth=1,
                        color=PALETTE[j % len(PALETTE)], label=f"{a} \u2192 {b}")
            biggest = sorted(((abs(x), o, x) for x, o in zip(xs, [o for o in outcomes if o in sub.index], strict=False) if not np.isnan(x)), reverse=True)[:3]
            alt_bits.append(f"{a} to {b}: largest " + ", ".join(f"{labels.outcome_long(o)} {fmt.num(x, 2)}" for _, o, x in biggest))
        ax.set_yticks(range(len(outcomes)), ylabels)
        ax.invert_yaxis()
        ax.set_xlabel(f"Effect size (mean change, {difference_words(study)}, / SD of earlier scores)")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=max(1, len(pairs)), frameon=False, fontsize=8, borderaxespad=0.2)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    alt = (
        f"Forest plot of effect sizes for {len(outcomes)} outcomes and {len(pairs)} comparisons, with a vertical line at zero; "
        f"points {'right' if reversed_direction(study) else 'left'} of zero are falls. " + "; ".join(alt_bits) + "."
    )
    caption = (
        f"Effect sizes of paired change by outcome and comparison ({falls_are(study)} = the score fell). Bars: the 95% CI of the "
        "mean change divided by the same SD (the SD treated as fixed)."
    )
    return render(fig, "forest_effect_sizes", caption, alt)


# ---------------------------------------------------------------- completion
def completion_figure(completion: pd.DataFrame, labels: Labels) -> Figure:
    """Bars per timepoint: questionnaires returned and interviews held.

    ``completion`` has ``timepoint``, ``questionnaires``, ``interviews`` and
    ``enrolled`` columns.
    """
    tps = list(completion["timepoint"])
    fig = _new(5.0, 2.8)
    with matplotlib.rc_context(RC):
        ax = fig.subplots()
        _margins(fig, 0.55, 0.1, 0.1, 0.55)
        x = np.arange(len(tps))
        w = 0.38
        bars_q = ax.bar(x - w / 2, completion["questionnaires"], w, color=PALETTE[0], label="Questionnaires")
        bars_i = ax.bar(x + w / 2, completion["interviews"], w, color=PALETTE[4], label="Interviews")
        for bars in (bars_q, bars_i):
            ax.bar_label(bars, padding=2, fontsize=8)
        enrolled = float(completion["enrolled"].max()) if len(completion) else 0.0
        ax.axhline(enrolled, color="#555555", linestyle=":", linewidth=0.8)
        ax.set_xticks(x, [textwrap.fill(labels.timepoint(t), 16) for t in tps])
        ax.set_ylabel("Participants")
        ax.set_ylim(0, enrolled * 1.15 + 1)
        ax.legend(frameon=False, fontsize=8, loc="upper right", ncols=2)
    alt = "Bar chart of participants completing each timepoint out of {} enrolled: ".format(fmt.count(enrolled)) + "; ".join(
        f"{r.timepoint} {fmt.count(r.questionnaires)} questionnaires and {fmt.count(r.interviews)} interviews"
        for r in completion.itertuples(index=False)
    ) + "."
    caption = "Completion by timepoint: participants returning questionnaires and interviewed (dotted line = enrolled)."
    return render(fig, "completion", caption, alt)


# ---------------------------------------------------------------- heatmap
def heatmap_figure(percent: pd.DataFrame, counts: pd.DataFrame, row_labels: Sequence[str], labels: Labels) -> Figure:
    """Code x timepoint heatmap of the % of interviewed participants coded, annotated with n."""
    values = percent.to_numpy(dtype=float)
    nrow, ncol = values.shape
    left = _label_width(row_labels) + 0.15
    fig = _new(left + 0.8 * ncol + 1.3, 0.24 * nrow + 0.6)
    with matplotlib.rc_context(RC):
        ax = fig.subplots()
        _margins(fig, left, 1.2, 0.1, 0.35)
        im = ax.imshow(np.nan_to_num(values), cmap="Blues", vmin=0, vmax=100, aspect="auto")
        for i in range(nrow):
            for j in range(ncol):
                v = values[i, j]
                colour = "white" if not np.isnan(v) and v > 60 else "#1a1a1a"
                ax.text(j, i, fmt.count(counts.iat[i, j]), ha="center", va="center", fontsize=7, color=colour)
        ax.set_xticks(range(ncol), list(percent.columns))
        ax.set_yticks(range(nrow), list(row_labels))
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        cax = fig.add_axes((1 - 0.95 / fig.get_figwidth(), 0.2, 0.12 / fig.get_figwidth(), 0.6))
        cbar = fig.colorbar(im, cax=cax)
        cbar.set_label("% of interviewed participants coded")
    top = sorted(((values[i, j], row_labels[i], percent.columns[j]) for i in range(nrow) for j in range(ncol) if not np.isnan(values[i, j])), reverse=True)[:3]
    alt = (
        f"Heatmap of {nrow} codes by {ncol} timepoints; shade = percent of interviewed participants coded, number = participants coded. "
        "Most frequent: " + "; ".join(f"{c} at {t} ({fmt.pct(v)}%)" for v, c, t in top) + "."
    )
    caption = "Codes by timepoint: participants coded (number) and percent of those interviewed (shade)."
    return render(fig, "code_timepoint_heatmap", caption, alt)
