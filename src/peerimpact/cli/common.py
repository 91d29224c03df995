"""What every command shares: error translation, output writing, progress."""

from __future__ import annotations

import functools
import io
import json
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import typer
from rich.console import Console

from ..errors import StudyValidationError, UserInputError

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
USER_ERROR = 2


class TableFormat(str, Enum):
    csv = "csv"
    json = "json"


def report_user_error(exc: UserInputError) -> None:
    if isinstance(exc, StudyValidationError):
        for problem in exc.problems:
            stderr.print(str(problem), markup=False)
        n = len(exc.problems)
        stderr.print(f"[bold red]{n} problem{'s' if n != 1 else ''} found; nothing was written.[/]")
    else:
        stderr.print(f"[bold red]error:[/] {exc}", markup=True)


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
    write_text_atomic(out, text)
    stderr.print(f"wrote {out}")


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[str], None]]:
    """A rich spinner on stderr; yields ``step(stage_name)``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=stderr, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def step(stage: str) -> None:
            bar.update(task, description=f"{description}: {stage}")

        yield step
