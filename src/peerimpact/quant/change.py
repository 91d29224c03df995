"""Table 4: paired change between declared timepoints."""

from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd

from ..errors import UserInputError
from ..study.definition import StudyDefinition
from .cube import ScoreCube, build_cube, instrument_of, summarise_cube
from .rstats import holm, mean_sd, paired_t, partial_eta_squared, wilcoxon_signed_rank
from .schema import CHANGE

EffectSizeSD = Literal["paired_baseline", "all_baseline"]
ChangeDirection = Literal["later_minus_earlier", "earlier_minus_later"]


def direction_sign(direction: str) -> int:
    """+1 for ``later_minus_earlier``, -1 for ``earlier_minus_later``.

    Raises
    ------
    UserInputError
        For any other value.
    """
    if direction == "later_minus_earlier":
        return 1
    if direction == "earlier_minus_later":
        return -1
    raise UserInputError(f"change_direction must be later_minus_earlier or earlier_minus_later, not {direction!r}")


def paired_change(
    scores: pd.DataFrame,
    definition: StudyDefinition,
    comparisons: Iterable[tuple[str, str]] | None = None,
    effect_size_sd: EffectSizeSD | None = None,
    cube: ScoreCube | None = None,
    warnings: list[str] | None = None,
) -> pd.DataFrame:
    """Paired change for each comparison and outcome (Table 4).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long scores table (``participant_id, timepoint, outcome, score``).
    definition : StudyDefinition
        Gives the timepoints, the default comparisons
        (``definition.comparison_pairs``) and ``effect_size_sd``.
    comparisons : iterable of (from, to), optional
        Overrides the study's comparisons.
    effect_size_sd : {"paired_baseline", "all_baseline"}, optional
        Overrides ``definition.effect_size_sd``.
    cube : ScoreCube, optional
        A cube already built from ``scores``.
    warnings : list of str, optional
        Receives a message for every test that could not be computed.

    Returns
    -------
    pandas.DataFrame
        Fields of ``change`` in ``docs/results-schema.md``. Sign convention
        (``definition.change_direction``): ``mean_change = to - from`` by
        default (``later_minus_earlier``), so positive t, CI, effect size and
        d_z mean an increase; ``from - to`` with ``earlier_minus_later``, where
        they mean a decrease. The Wilcoxon V is of the same signed change.

    Notes
    -----
    Paired t (t, df, p, CI), Wilcoxon p, Holm-adjusted p, means and SDs are
    checked against R 4.2 (``t.test``, ``wilcox.test``, ``p.adjust``,
    ``mean``, ``sd``) in ``tests/oracle/quant_change.R``, to 1e-9 relative;
    so are Cohen's d_z (``mean(d) / sd(d)``) and partial eta squared, which R
    computes from ``aov(score ~ timepoint + Error(participant / timepoint))``
    as SS_timepoint / (SS_timepoint + SS_residual).
    """
    cube = cube if cube is not None else build_cube(scores, definition)
    direction = getattr(definition, "change_direction", "later_minus_earlier")
    sign = direction_sign(direction)
    pairs = list(definition.comparison_pairs if comparisons is None else comparisons)
    method = effect_size_sd or definition.effect_size_sd
    if method not in ("paired_baseline", "all_baseline"):
        raise UserInputError(f"effect_size_sd must be paired_baseline or all_baseline, not {method!r}")
    rows = []
    for a, b in pairs:
        for t in (a, b):
            if t not in cube.timepoints:
                raise UserInputError(f"comparison [{a}, {b}] uses undeclared timepoint {t!r}")
        ia, ib = cube.timepoint_index(a), cube.timepoint_index(b)
        es_sds = summarise_cube(cube.values[:, ia])["sd"] if method == "all_baseline" else None
        for io, outcome in enumerate(cube.outcomes):
            x_all, y_all = cube.values[io, ia], cube.values[io, ib]
            change = sign * (y_all - x_all)  # NaN unless both scores exist
            pair = ~np.isnan(change)
            d, x, y = change[pair], x_all[pair], y_all[pair]
            n = int(d.size)
            tt = paired_t(d)
            wx = wilcoxon_signed_rank(d)
            mean_from, sd_from = mean_sd(x)
            mean_to, sd_to = mean_sd(y)
            es_sd = sd_from if es_sds is None else float(es_sds[io])
            es = tt.mean / es_sd if n and np.isfinite(es_sd) and es_sd > 0 else np.nan
            d_z = tt.mean / tt.sd if n > 1 and np.isfinite(tt.sd) and tt.sd > 0 else np.nan
            if warnings is not None:
                if n < 2:
                    warnings.append(f"change {outcome} {a}->{b}: {n} complete pair(s); no test")
                elif np.isnan(tt.t):
                    warnings.append(f"change {outcome} {a}->{b}: the changes are constant; no t-test")
            rows.append(
                {
                    "outcome": outcome,
                    "instrument": instrument_of(outcome),
                    "from": a,
                    "to": b,
                    "n": n,
                    "mean_from": mean_from,
                    "mean_to": mean_to,
                    "sd_from": sd_from,
                    "sd_to": sd_to,
                    "mean_change": tt.mean,
                    "sd_change": tt.sd,
                    "ci_low": tt.ci_low,
                    "ci_high": tt.ci_high,
                    "t": tt.t,
                    "df": tt.df,
                    "p": tt.p,
                    "p_holm": np.nan,
                    "wilcoxon_v": wx.v,
                    "wilcoxon_p": wx.p,
                    "wilcoxon_method": wx.method,
                    "effect_size": es,
                    "effect_size_sd": es_sd,
                    "effect_size_method": method,
                    "d_z": d_z,
                    "eta2_partial": partial_eta_squared(tt.t, tt.df),
                    "change_direction": direction,
                }
            )
    out = pd.DataFrame(rows, columns=CHANGE.columns)
    if len(out):
        for _, idx in out.groupby(["from", "to", "instrument"], sort=False).groups.items():
            out.loc[idx, "p_holm"] = holm(out.loc[idx, "p"].to_numpy(dtype=float))
    out["n"] = out["n"].astype(np.int64)
    for c in CHANGE.columns:
        if c not in ("outcome", "instrument", "from", "to", "n", "wilcoxon_method", "effect_size_method", "change_direction"):
            out[c] = out[c].astype(float)
    return out
