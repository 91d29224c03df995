"""Turn ``study.yaml`` into a :class:`StudyDefinition`, with file:line problems."""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .definition import StudyDefinition
from .yamlio import KeyPath, line_for, load_yaml_with_lines, model_at


def _hint(model: type[BaseModel] | None, key: str) -> str:
    if model is None:
        return ""
    names = list(model.model_fields)
    close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; allowed keys: " + ", ".join(names)


def pydantic_problems(
    exc: ValidationError, model: type[BaseModel], lines: dict[KeyPath, int], file: str
) -> list[Problem]:
    """Translate pydantic errors into problems naming the YAML line and key path."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc) or None
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}" + _hint(model_at(model, loc[:-1]), str(loc[-1]))
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, line_for(lines, loc), dotted, msg))
    return problems


def load_definition(root: Path) -> tuple[StudyDefinition | None, dict[KeyPath, int], list[Problem]]:
    path = root / "study.yaml"
    if not path.is_file():
        return None, {}, [Problem("study.yaml", None, None, "is missing: every study folder needs a study.yaml")]
    data, lines = load_yaml_with_lines(path, "study.yaml")
    if not isinstance(data, dict):
        return None, lines, [Problem("study.yaml", 1, None, "must be a mapping of keys to values")]
    try:
        return StudyDefinition.model_validate(data), lines, []
    except ValidationError as exc:
        return None, lines, pydantic_problems(exc, StudyDefinition, lines, "study.yaml")
