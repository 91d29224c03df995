"""Errors the web services raise; pages show them next to fields, the API as one JSON shape."""

from __future__ import annotations


class FieldErrors(Exception):
    """Every problem with a submission, as ``(field or None, message)`` pairs (HTTP 422)."""

    status = 422

    def __init__(self, errors: list[tuple[str | None, str]]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in self.errors))


class Conflict(FieldErrors):
    """The submission duplicates a stored record (HTTP 409); nothing was stored."""

    status = 409


class Collector:
    def __init__(self) -> None:
        self.errors: list[tuple[str | None, str]] = []

    def add(self, field: str | None, message: str) -> None:
        self.errors.append((field, message))

    def raise_if_any(self, kind: type[FieldErrors] = FieldErrors) -> None:
        if self.errors:
            raise kind(self.errors)
