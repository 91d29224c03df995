"""What every command shares: error translation, output writing, progress."""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import typer
from rich.console import Console
from rich.text import Text

from ..errors import StudyValidationError, UserInputError
from ..fileio import write_text

# Markup and emoji codes are off: every message may carry user or file text, which is shown
# literally (``[/x]`` stays ``[/x]``). Styles are applied only through Text objects below.
stderr = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
USER_ERROR = 2

# C0 and C1 control characters other than tab and newline: shown as escapes, never sent to
# the terminal (an ESC in a file name or cell could otherwise restyle or rewrite the screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class TableFormat(str, Enum):
    csv = "csv"
    json = "json"


def shown(text: object) -> str:
    r"""``text`` as it is safe to show on a terminal: control characters as ``\xNN`` escapes.

    >>> shown("a[bold]b\x1b[31m\\c")
    'a[bold]b\\x1b[31m\\c'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


#: ``--all-errors`` of the commands that read a study or import one: every problem, not grouped.
ALL_ERRORS = typer.Option(
    False, "--all-errors",
    help="List every problem; by default a rule broken on many rows of a column is one line with the count and the first rows.",
)


def say(text: object, style: str | None = None) -> None:
    """Print one message on stderr, literally (no markup), with an optional style."""
    stderr.print(Text(shown(text), style=style or ""))


def _labelled(label: str, style: str, text: object) -> None:
    stderr.print(Text.assemble((label, style), " ", shown(text)))


def warn(text: object) -> None:
    """Print ``warning: <text>`` on stderr; ``text`` is shown literally."""
    _labelled("warning:", "yellow", text)


def report_user_error(exc: UserInputError) -> None:
    """Print a domain error on stderr: every problem of a validation error, or the message."""
    if isinstance(exc, StudyValidationError):
        for problem in exc.problems:
            say(problem)
        n = len(exc.problems)
        say(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", style="bold red")
    else:
        _labelled("error:", "bold red", exc)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Translate domain errors into exit code 2 with the problems on stderr."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserInputError as exc:
            report_user_error(exc)
            raise typer.Exit(USER_ERROR) from None

    return wrapper


def frame_text(frame: pd.DataFrame, fmt: TableFormat) -> str:
    if fmt is TableFormat.csv:
        buf = io.StringIO()
        frame.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()
    records = json.loads(frame.to_json(orient="records", date_format="iso", double_precision=15))
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def emit(text: str, out: Path | None) -> None:
    """Write data to ``out`` (atomically) or to stdout when ``out`` is None or ``-``."""
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        return
    write_text(out, text)
    say(f"wrote {out}")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[str], None]]:
    """A rich spinner on stderr; yields ``step(stage_name)``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=stderr, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def step(stage: str) -> None:
            bar.update(task, description=f"{description}: {stage}")

        yield step
