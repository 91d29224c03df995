"""Load instrument definitions: the shipped YAML files plus a study's own.

A study's ``instruments/<id>.yaml`` is loaded exactly like a shipped file; a
study file whose id matches a shipped one replaces it (this is how a licensed
MJS or ITPPS item key, or different MBI cut-offs, are supplied).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, StudyValidationError
from ..study.yamlio import line_for, load_yaml_with_lines, model_at
from .schema import (
    INSTRUMENT_ID_PATTERN,
    ITEM_ID_PATTERN,
    InstrumentDefinition,
    InstrumentRuleError,
    KeyPath,
    key_path_text,
)

PACKAGED_PREFIX = "peerimpact/instruments/definitions/"
STUDY_FOLDER = "instruments"


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        model = model_at(InstrumentDefinition, loc[:-1])
        msg = f"unknown key {loc[-1]!r}"
        if model is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
            msg += f"; did you mean {close[0]!r}?" if close else "; allowed keys: " + ", ".join(model.model_fields)
        return msg
    if kind == "string_pattern_mismatch":
        rule = {
            INSTRUMENT_ID_PATTERN: "lower-case letters, digits and '_', starting with a letter",
            ITEM_ID_PATTERN: "letters and digits only",
        }.get(str(err.get("ctx", {}).get("pattern")), "see docs/instruments.md")
        return f"{err.get('input')!r} is not a valid id ({rule})"
    return str(err.get("msg", "is invalid")).removeprefix("Value error, ")


def _problems_from_validation(exc: ValidationError, name: str, lines: dict[KeyPath, int]) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        original = err.get("ctx", {}).get("error")
        if isinstance(original, InstrumentRuleError):
            for path, message in original.violations:
                full = loc + tuple(path)
                problems.append(Problem(name, line_for(lines, full), key_path_text(full) or None, message))
            continue
        problems.append(Problem(name, line_for(lines, loc), key_path_text(loc) or None, _pydantic_message(err)))
    return problems


def parse_instrument(path: Path, name: str) -> InstrumentDefinition:
    """Parse and validate one instrument file.

    Parameters
    ----------
    path : Path
        The YAML file.
    name : str
        How problems name the file, e.g. ``instruments/phq9.yaml``.

    Raises
    ------
    StudyValidationError
        With every problem of the file, each naming ``name``, the 1-based YAML
        line and the key path (e.g. ``subscales[0].items[2]``).
    """
    return _parse_with_lines(path, name)[0]


def _parse_with_lines(path: Path, name: str) -> tuple[InstrumentDefinition, dict[KeyPath, int]]:
    data, lines = load_yaml_with_lines(path, name)
    if not isinstance(data, dict):
        raise StudyValidationError([Problem(name, 1, None, "must be a mapping of keys (id, name, citation, ...)")])
    try:
        defn = InstrumentDefinition.model_validate(data)
    except ValidationError as exc:
        raise StudyValidationError(_problems_from_validation(exc, name, lines)) from None
    if defn.id != path.stem:
        raise StudyValidationError(
            [Problem(name, line_for(lines, ("id",)), "id", f"id {defn.id!r} must match the file name ({path.stem}.yaml)")]
        )
    return defn, lines


_Parsed = tuple[InstrumentDefinition, str, dict[KeyPath, int]]


def _parse_all(files: list[tuple[Path, str]]) -> tuple[dict[str, _Parsed], list[Problem]]:
    found: dict[str, _Parsed] = {}
    problems: list[Problem] = []
    for path, name in files:
        try:
            defn, lines = _parse_with_lines(path, name)
        except StudyValidationError as exc:
            problems += exc.problems
            continue
        if defn.id in found:
            problems.append(Problem(name, line_for(lines, ("id",)), "id", f"instrument {defn.id!r} is also defined in {found[defn.id][1]}"))
            continue
        found[defn.id] = (defn, name, lines)
    return found, problems


@lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[str, _Parsed], ...]:
    folder = resources.files("peerimpact.instruments").joinpath("definitions")
    with resources.as_file(folder) as real:
        files = [(p, PACKAGED_PREFIX + p.name) for p in sorted(Path(real).glob("*.yaml"))]
        found, problems = _parse_all(files)
    if problems:  # a broken shipped file is a packaging bug, reported like any other
        raise StudyValidationError(problems)
    return tuple(found.items())


def shipped_instruments() -> dict[str, InstrumentDefinition]:
    """The instruments shipped with PeerImpact, by id (parsed once per process)."""
    return {k: parsed[0] for k, parsed in _shipped()}


def _cross_problems(merged: dict[str, _Parsed]) -> list[Problem]:
    problems: list[Problem] = []
    for defn, name, lines in merged.values():
        if defn.parent is None:
            continue
        parent = merged.get(defn.parent)
        if parent is None:
            problems.append(Problem(name, line_for(lines, ("parent",)), "parent", f"parent instrument {defn.parent!r} is not defined"))
            continue
        pdef = parent[0]
        if pdef.kind != "questionnaire":
            problems.append(Problem(name, line_for(lines, ("parent",)), "parent", f"parent {pdef.id!r} is not a questionnaire"))
            continue
        if pdef.parent is not None:
            problems.append(
                Problem(name, line_for(lines, ("parent",)), "parent", f"parent {pdef.id!r} is itself a short form; name the full instrument")
            )
        if (pdef.response_min, pdef.response_max) != (defn.response_min, defn.response_max):
            problems.append(
                Problem(name, line_for(lines, ("response_min",)), "response_min",
                        f"response range {defn.response_min}–{defn.response_max} differs from parent {pdef.id!r} "
                        f"({pdef.response_min}–{pdef.response_max})")
            )
        parent_items = set(pdef.item_ids())
        for i, item in enumerate(defn.item_ids()):
            if item not in parent_items:
                problems.append(
                    Problem(name, line_for(lines, ("items", i)), key_path_text(("items", i)), f"item {item!r} is not an item of parent {pdef.id!r}")
                )
    return problems


def load_instruments(study_dir: Path | None = None) -> dict[str, InstrumentDefinition]:
    """The shipped instruments plus the study's own ``instruments/*.yaml``.

    Parameters
    ----------
    study_dir : Path, optional
        The study folder. Its ``instruments/*.yaml`` files are validated like
        the shipped ones; a file with a shipped id replaces the shipped
        definition (e.g. a licensed MJS item key).

    Returns
    -------
    dict of str to InstrumentDefinition
        By instrument id: shipped ids in file-name order, then the study's.

    Raises
    ------
    StudyValidationError
        Every problem in every file at once (bad YAML, unknown keys, broken
        rules, an unknown parent), each with the file
        (``instruments/phq9.yaml``), 1-based line and key path.
    """
    merged: dict[str, _Parsed] = dict(_shipped())
    problems: list[Problem] = []
    if study_dir is not None:
        folder = Path(study_dir) / STUDY_FOLDER
        if folder.is_dir():
            files = [(p, f"{STUDY_FOLDER}/{p.name}") for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml")]
            found, problems = _parse_all(files)
            merged.update(found)
    problems += _cross_problems(merged)
    if problems:
        raise StudyValidationError(problems)
    return {k: parsed[0] for k, parsed in merged.items()}
