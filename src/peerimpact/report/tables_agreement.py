"""Agreement between coders, formatted from :func:`peerimpact.qual.agreement.agreement`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt
from .table_model import ReportTable


def agreement_table(study: Any, segments: pd.DataFrame, level: str = "character") -> tuple[ReportTable | None, list[str]]:
    """Pooled agreement per code and over all codes, for each pair of coders.

    Character level (every character of a transcript is a unit, coded or not
    by each coder); Krippendorff's alpha (nominal) is over every coder.

    Returns
    -------
    table : ReportTable or None
        ``None`` when fewer than two coders coded.
    warnings : list of str
        From the agreement computation.
    """
    if segments is None or not len(segments) or segments["coder"].nunique() < 2:
        return None, []
    from ..qual.agreement import agreement

    res = agreement(study, levels=(level,))
    pairs = res.pairs[(res.pairs["level"] == level) & (res.pairs["scope"].isin(["code", "all"]))]
    alpha = res.alpha[res.alpha["level"] == level]
    alpha_by = {(None if r["scope"] == "all" else r["code"]): r["alpha"] for r in alpha.to_dict("records")}
    names = {str(c["id"]): str(c.get("name", c["id"])) for c in (study.codebook or {}).get("codes") or []}
    rows, ids, groups = [], [], []
    for r in pairs.to_dict("records"):
        code = None if r["scope"] == "all" else r["code"]
        rows.append((
            "All codes" if code is None else names.get(code, code),
            fmt.count(r["n_both"] + r["n_a_only"] + r["n_b_only"]),
            fmt.num(r["percent_agreement"], 1),
            fmt.num(r["kappa"], 2),
            fmt.num(alpha_by.get(code), 2),
        ))
        ids.append("all" if code is None else str(code))
        groups.append(f"Coders {r['coder_a']} and {r['coder_b']}")
    table = ReportTable(
        key="qual_agreement",
        title="Agreement between coders per code (character level)",
        columns=("Code", "Characters coded by either", "Agreement (%)", "Cohen's kappa", "Krippendorff's alpha"),
        rows=tuple(rows),
        notes=(
            "Every character of each transcript both coders coded is a unit, coded or not coded with the code by each "
            "coder; percent agreement and Cohen's kappa from the pooled 2 × 2 table; Krippendorff's alpha (nominal) "
            "over every coder. Codings are compared after migration to the current codebook version.",
        ),
        row_ids=tuple(ids),
        row_id_name="code",
        groups=tuple(groups),
        numeric=(False, True, True, True, True),
    )
    return table, [f"agreement: {w}" for w in res.warnings]
