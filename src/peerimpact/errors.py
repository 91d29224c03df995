"""Domain exceptions.

The core library raises these and never prints or exits; the CLI and the web
app translate them at the edge (exit code 2, or one JSON error shape).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in user input.

    Attributes
    ----------
    file : str
        Path of the offending file relative to the study folder (e.g.
        ``responses.csv``), or the file name given by the user.
    row : int or None
        1-based row as a spreadsheet shows it: the header is row 1, the first
        data row is row 2. For YAML files, the 1-based line. ``None`` when the
        problem concerns the whole file.
    column : str or None
        Column name (CSV) or key path (YAML), ``None`` when not applicable.
    message : str
        What rule was broken, in words a researcher understands.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts) + ": " + self.message


class PeerImpactError(Exception):
    """Base class of every error the library raises on purpose."""


class UserInputError(PeerImpactError):
    """Bad input from the user: the CLI exits with code 2 on these."""


class StudyValidationError(UserInputError):
    """A study (folder, import or database) broke one or more rules.

    Carries every problem found, so that all can be reported at once; a
    problem found by two checks is reported once.
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(
            set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message)
        )
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


@dataclass
class ProblemCollector:
    """Accumulate problems across many checks, then raise them together."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise StudyValidationError(self.problems)
