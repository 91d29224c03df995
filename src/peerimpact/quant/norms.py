"""Norms (reference means and SDs) for Table 3.

Shipped defaults live in ``quant/norms/default.yaml`` (the seed study's Table 3
figures, with their sources). A study's ``norms.yaml`` adds or overrides
norms; an outcome set to ``null`` there removes the default. An outcome with
no norm has NaN (null in JSON) everywhere, never 0.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from ..errors import Problem, StudyValidationError
from ..study.model import Study
from ..study.stages import register_study_check

NORM_COLUMNS = ["outcome", "norm_mean", "norm_sd", "norm_n", "norm_source"]
_ALLOWED = {"mean", "sd", "n", "source"}


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def parse_norms(raw: Any, file: str, lines: Mapping[tuple, int] | None = None) -> pd.DataFrame:
    """Validate a parsed norms mapping and return it as a table.

    Parameters
    ----------
    raw : mapping
        ``{"norms": {outcome: {mean, sd, n (optional), source} or None}}``.
    file : str
        File name used in problems.
    lines : mapping, optional
        Key path -> 1-based line, from :func:`peerimpact.study.yamlio.load_yaml_with_lines`.

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome, norm_mean, norm_sd, norm_n, norm_source``; a
        ``None`` entry gives a row of NaN/None (meaning "remove").

    Raises
    ------
    StudyValidationError
        Listing every problem: not a mapping, unknown keys, mean not a
        number, sd not a positive number, n not an integer of at least 2.
    """
    lines = lines or {}
    problems: list[Problem] = []

    def add(path: tuple, column: str, message: str) -> None:
        problems.append(Problem(file, lines.get(path), column, message))

    if not isinstance(raw, Mapping) or not isinstance(raw.get("norms"), Mapping):
        raise StudyValidationError([Problem(file, None, "norms", "must be a mapping `norms: {<outcome id>: {mean, sd, n, source}}`")])
    rows: list[tuple[str, Any, Any, Any, Any]] = []
    for outcome, entry in raw["norms"].items():
        path = ("norms", outcome)
        col = f"norms.{outcome}"
        if entry is None:
            rows.append((str(outcome), np.nan, np.nan, np.nan, None))
            continue
        if not isinstance(entry, Mapping):
            add(path, col, "must be a mapping with mean, sd, n (optional) and source, or null to remove a default")
            continue
        unknown = sorted(set(map(str, entry)) - _ALLOWED)
        if unknown:
            add(path, col, f"unknown key(s) {', '.join(unknown)}; allowed: mean, sd, n, source")
        mean, sd, n, source = entry.get("mean"), entry.get("sd"), entry.get("n"), entry.get("source")
        if not _is_number(mean):
            add(path + ("mean",), col + ".mean", "mean must be a number")
        if not _is_number(sd) or sd is None or sd <= 0:
            add(path + ("sd",), col + ".sd", "sd must be a number greater than 0")
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 2):
            add(path + ("n",), col + ".n", "n must be an integer of at least 2, or left out when unknown")
        if source is not None and not isinstance(source, str):
            add(path + ("source",), col + ".source", "source must be text")
        rows.append((str(outcome), mean, sd, np.nan if n is None else n, source))
    if problems:
        raise StudyValidationError(problems)
    out = pd.DataFrame(rows, columns=NORM_COLUMNS)
    for c in ("norm_mean", "norm_sd", "norm_n"):
        out[c] = pd.to_numeric(out[c]).astype(float)
    return out


def default_norms() -> pd.DataFrame:
    """The shipped default norms (``quant/norms/default.yaml``)."""
    text = resources.files("peerimpact.quant").joinpath("norms/default.yaml").read_text(encoding="utf-8")
    return parse_norms(yaml.safe_load(text), "peerimpact/quant/norms/default.yaml")


def _study_norms(study: Study) -> pd.DataFrame | None:
    if study.parts.norms is not None:
        return study.parts.norms
    if study.norms is None:
        return None
    file = study.definition.norms or "norms.yaml"
    lines: Mapping[tuple, int] = {}
    if study.root is not None and (Path(study.root) / file).is_file():
        from ..study.yamlio import load_yaml_with_lines

        _, lines = load_yaml_with_lines(Path(study.root) / file, file)
    return parse_norms(study.norms, file, lines)


def norms_for(study: Study) -> pd.DataFrame:
    """The norms in force for a study: shipped defaults overridden by the study's file.

    Returns
    -------
    pandas.DataFrame
        One row per outcome with a norm (``outcome, norm_mean, norm_sd,
        norm_n, norm_source``); outcomes removed with ``null`` are absent.
    """
    table = default_norms()
    own = _study_norms(study)
    if own is not None and len(own):
        table = pd.concat([table[~table["outcome"].isin(own["outcome"])], own], ignore_index=True)
    return table[table["norm_mean"].notna()].reset_index(drop=True)


def _load_stage(study: Study) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """The study loader's norms stage: problems, or the study's parsed norms for ``Study.parts``."""
    try:
        own = _study_norms(study)
    except StudyValidationError as exc:
        return list(exc.problems), {}
    return [], ({} if own is None else {"norms": own})


register_study_check("norms", _load_stage, order=20)
