"""Validation stages that the packages above ``study/`` register with the loader.

``study/`` is the lowest layer but one (ARCHITECTURE.md), so the loader cannot
import the instruments, scoring, qualitative, norms or synthesis code that
checks a study. Each of those packages registers its own stage here when it is
imported, and :mod:`peerimpact` (the package ``__init__``, which runs before any
``peerimpact.*`` module) imports them all, so every caller of
:func:`peerimpact.study.load_study` gets the same checks.

Three kinds of stage, run by :func:`peerimpact.study.load.load_study` in order:

* the **instrument source** (one, from ``instruments/``): the study's
  instrument definitions, shipped and its own;
* **table checks**, by table (``scoring/`` checks ``responses`` and
  ``service_use`` against the instruments), on the raw text tables;
* **study checks**, in ``order`` (``qual/`` 10, ``quant/`` norms 20,
  ``synthesis/`` 30), on the typed :class:`~peerimpact.study.Study`; each
  returns its problems and the parsed part it validated (see
  :class:`~peerimpact.study.model.StudyParts`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from ..errors import Problem
from .definition import StudyDefinition

if TYPE_CHECKING:  # type-only: no import at run time
    from .model import Study

__all__ = [
    "TableContext",
    "instrument_source",
    "register_instrument_source",
    "register_study_check",
    "register_table_check",
    "study_checks",
    "table_checks",
]


@dataclass(frozen=True)
class TableContext:
    """What a table check may read: the definition, the instruments and the raw tables."""

    definition: StudyDefinition
    instruments: Mapping[str, Any]
    raws: Mapping[str, pd.DataFrame | None]


InstrumentSource = Callable[[Path | None], Mapping[str, Any]]
TableCheck = Callable[[pd.DataFrame, TableContext, str], Iterable[Problem]]  # may yield problems one at a time
StudyCheck = Callable[["Study"], tuple[list[Problem], Mapping[str, Any]]]

_instrument_source: list[InstrumentSource] = []
_table_checks: dict[str, dict[str, TableCheck]] = {}
_study_checks: dict[str, tuple[int, StudyCheck]] = {}


def register_instrument_source(source: InstrumentSource) -> None:
    """Set the function that loads a study folder's instruments (``None``: the shipped ones).

    It raises :class:`~peerimpact.errors.StudyValidationError` for bad definitions.
    Registering again replaces the source (re-imports are harmless).
    """
    _instrument_source[:] = [source]


def register_table_check(table: str, name: str, check: TableCheck) -> None:
    """Add ``check(raw, context, file)`` for the raw ``table`` (run in registration order)."""
    _table_checks.setdefault(table, {})[name] = check


def register_study_check(name: str, check: StudyCheck, *, order: int) -> None:
    """Add ``check(study) -> (problems, parts)``, run on the typed study by ascending ``order``."""
    _study_checks[name] = (order, check)


def instrument_source() -> InstrumentSource:
    """The registered instrument source.

    Raises
    ------
    RuntimeError
        When none is registered: a packaging error (``peerimpact/__init__.py``
        imports the packages that register their stages).
    """
    if not _instrument_source:
        raise RuntimeError("no instrument source is registered: import peerimpact, whose __init__ registers the load stages")
    return _instrument_source[0]


def table_checks(table: str) -> list[TableCheck]:
    """The checks registered for the raw ``table``."""
    return list(_table_checks.get(table, {}).values())


def study_checks() -> list[StudyCheck]:
    """The study checks, in their declared order."""
    return [check for _, check in sorted(_study_checks.values(), key=lambda pair: pair[0])]
