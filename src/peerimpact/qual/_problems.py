"""Turn pydantic errors on nested YAML data into file:line problems."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..study.yamlio import line_for

Lines = dict[tuple[Any, ...], int]


def key_path(path: tuple[Any, ...]) -> str | None:
    """``("codes", 3, "parent")`` -> ``"codes.3.parent"`` (``None`` for the root)."""
    return ".".join(str(p) for p in path) or None


def at(file: str, lines: Lines | None, path: tuple[Any, ...], message: str) -> Problem:
    """A problem at YAML key ``path`` (line looked up, nearest ancestor if needed)."""
    return Problem(file, line_for(lines or {}, path) if lines else None, key_path(path), message)


def model_problems(
    exc: ValidationError, model: type[BaseModel], file: str, lines: Lines | None, prefix: tuple[Any, ...]
) -> list[Problem]:
    """One problem per pydantic error, located at ``prefix + loc``."""
    out = []
    for err in exc.errors():
        loc = prefix + tuple(p for p in err["loc"] if p != "__root__")
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            names = [f.alias or n for n, f in model.model_fields.items()]
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else "; allowed keys: " + ", ".join(names)
            msg = f"unknown key {key!r}{hint}"
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        out.append(at(file, lines, loc, msg))
    return out
