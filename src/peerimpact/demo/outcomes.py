"""The demo's questionnaire responses (``responses.csv``).

WEMWBS and MBI-HSS are written as item responses; MJS and the team survey as
pre-scored subscale means (their item keys are licensed). Each outcome is
built constructively so that, for any seed, the observed n, mean and SD at each
wave equal the targets in :mod:`peerimpact.demo.targets` (up to rounding to
whole item responses or two decimals), the paired change from baseline equals
the built-in change, and repeated measures are correlated through latent person
effects. Item missingness: some subscales have exactly one blank item (prorated
when scored), some MBI subscales have two (then missing under the one-item
rule), so WEMWBS keeps its n of 32, 20 and 21.
"""

from __future__ import annotations

import numpy as np

from . import design
from .calibrate import calibrate, covariance_with, round_to_total, subset_mean
from .targets import DIRECTION, MBI, MBI_ITEMS, ONE_MISSING, PRESCORED, SWEMWBS_ITEMS, WEMWBS, WEMWBS_ITEMS, Target

ICC = 0.6


def _decimals(t: Target) -> int:
    return 0 if t.outcome in DIRECTION else 2


def build_outcome(t: Target, avail: dict[str, np.ndarray], raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Scores of one outcome for every person (NaN where unavailable), wave by wave.

    ``avail[wave]`` is a boolean mask over people; ``raw[wave]`` a random shape
    over people. The baseline scores of the people seen again at each
    follow-up are given the mean that yields the built-in paired change.
    """
    base = design.BASELINE
    n = avail[base].size
    dec = _decimals(t)
    a1 = avail[base]
    cons = []
    for wave in design.FOLLOW_UPS:
        pair = a1 & avail[wave]
        if pair.any() and not np.array_equal(pair, a1):
            cons.append(subset_mean(pair[a1], t.mean[wave] - t.change[wave]))
    x = np.full(n, np.nan)
    x[a1] = np.round(calibrate(raw[base][a1], mean=t.mean[base], sd=t.sd[base], lower=t.lower, upper=t.upper,
                               constraints=cons), dec)
    out = {base: x}
    for wave in design.FOLLOW_UPS:
        at = avail[wave]
        pair = at & a1
        xs = np.where(pair, x, 0.0)[at]
        mask = pair[at]
        cons = [covariance_with(xs, mask, t.r * float(np.std(xs[mask], ddof=1)) * t.sd[wave])]
        if not mask.all():
            cons.append(subset_mean(mask, float(xs[mask].mean()) + t.change[wave]))
        y = np.full(n, np.nan)
        y[at] = np.round(calibrate(raw[wave][at], mean=t.mean[wave], sd=t.sd[wave], lower=t.lower,
                                   upper=t.upper, constraints=cons), dec)
        out[wave] = y
    return out


def split_total(rng: np.random.Generator, total: int, effects: np.ndarray, lower: int, upper: int) -> np.ndarray:
    """Item responses within ``[lower, upper]`` summing exactly to ``total``."""
    k = effects.size
    wanted = total / k + effects + rng.normal(0.0, 0.45, k)
    return round_to_total(wanted, int(total), lower, upper)


def _missing_masks(rng, respond: dict[str, np.ndarray], n_target: dict[str, int], tendency: dict[str, np.ndarray]):
    """Availability per wave: the respondents minus those most inclined to skip this part."""
    out = {}
    for wave, resp in respond.items():
        k = int(resp.sum()) - n_target[wave]
        mask = resp.copy()
        if k > 0:
            score = np.where(resp, tendency[wave] + rng.normal(0.0, 0.5, resp.size), -np.inf)
            mask[np.argsort(-score, kind="stable")[:k]] = False
        out[wave] = mask
    return out


def make_responses(rng: np.random.Generator, people) -> tuple[list[list[object]], dict[str, dict[str, np.ndarray]]]:
    """Rows of ``responses.csv`` (header first) and the scores built for each outcome."""
    n = len(people)
    waves = [w.id for w in design.WAVES]
    respond = {w: np.array([w in p.waves for p in people]) for w in waves}
    general = rng.normal(0.0, 1.0, n)

    def shape(sign: int) -> dict[str, np.ndarray]:
        person = 0.6 * general + 0.8 * rng.normal(0.0, 1.0, n)
        return {w: sign * np.sqrt(ICC) * person + np.sqrt(1 - ICC) * rng.normal(0.0, 1.0, n) for w in waves}

    scores: dict[str, dict[str, np.ndarray]] = {}
    scores[WEMWBS.outcome] = build_outcome(WEMWBS, respond, shape(1))
    no_tendency = {w: rng.normal(0.0, 1.0, n) for w in waves}
    for t in MBI:
        avail = _missing_masks(rng, respond, t.n, no_tendency)
        scores[t.outcome] = build_outcome(t, avail, shape(DIRECTION[t.outcome]))
    for family in ("mjs", "itpps"):
        tendency = {w: rng.normal(0.0, 1.0, n) for w in waves}
        for t in PRESCORED:
            if t.outcome.startswith(family + "."):
                avail = _missing_masks(rng, respond, t.n, tendency)
                scores[t.outcome] = build_outcome(t, avail, shape(1))
    items = _item_columns(rng, people, respond, scores)
    header: list[object] = ["participant_id", "timepoint", *items, *(t.outcome for t in PRESCORED)]
    rows: list[list[object]] = [header]
    for i, p in enumerate(people):
        for w in waves:
            if not respond[w][i]:
                continue
            row: list[object] = [p.participant_id, w]
            row += ["" if v[w][i] is None else v[w][i] for v in items.values()]
            for t in PRESCORED:
                s = scores[t.outcome][w][i]
                row.append("" if np.isnan(s) else f"{s:.2f}")
            rows.append(row)
    return rows, scores


def _blankable(item_ids: list[int], prefix: str, short_form: bool) -> list[bool]:
    """Items that may be left blank: for WEMWBS, outside the SWEMWBS items, except in the
    one planned response where a SWEMWBS item is blank (SWEMWBS is then missing: no prorating)."""
    if prefix != "wemwbs":
        return [True] * len(item_ids)
    return [(item in SWEMWBS_ITEMS) == short_form for item in item_ids]


def _item_columns(rng, people, respond, scores) -> dict[str, dict[str, list]]:
    """Item responses for WEMWBS and MBI-HSS, with one or two blank items where planned."""
    n = len(people)
    waves = list(respond)
    blocks = [("wemwbs", WEMWBS, WEMWBS_ITEMS, 1, 5)] + [("mbi_hss", t, MBI_ITEMS[t.outcome], 0, 6) for t in MBI]
    columns: dict[str, dict[str, list]] = {}
    for prefix, _, item_ids, _, _ in blocks:
        for item in item_ids:
            columns.setdefault(f"{prefix}_{item}", {w: [None] * n for w in waves})
    for prefix, t, item_ids, lo, hi in blocks:
        effects = rng.normal(0.0, 0.3, len(item_ids))
        effects -= effects.mean()
        for w in waves:
            observed = scores[t.outcome][w]
            two_missing = [i for i in range(n) if respond[w][i] and np.isnan(observed[i])]
            candidates = [i for i in range(n) if respond[w][i] and not np.isnan(observed[i])]
            one_missing = set(int(i) for i in rng.choice(candidates, size=ONE_MISSING[t.outcome][w], replace=False))
            for i in candidates + two_missing:
                if i in two_missing:
                    total = int(np.clip(round(t.mean[w] + t.sd[w] * rng.normal()), t.lower, t.upper))
                else:
                    total = int(observed[i])
                drawn = [int(v) for v in split_total(rng, total, effects, lo, hi)]
                values: list[int | None] = list(drawn)
                if i in two_missing:
                    for j in rng.choice(len(values), size=2, replace=False):
                        values[int(j)] = None
                elif i in one_missing:  # blank the item nearest the person's item mean
                    short = prefix == "wemwbs" and w == design.BASELINE and i == min(one_missing)
                    allowed = _blankable(item_ids, prefix, short)
                    gaps = [abs(v - total / len(drawn)) if ok else np.inf for v, ok in zip(drawn, allowed)]
                    values[int(np.argmin(gaps))] = None
                for item, v in zip(item_ids, values):
                    columns[f"{prefix}_{item}"][w][i] = v
    ordered = {f"wemwbs_{i}": columns[f"wemwbs_{i}"] for i in WEMWBS_ITEMS}
    ordered.update({f"mbi_hss_{i}": columns[f"mbi_hss_{i}"] for i in range(1, 23)})
    return ordered
