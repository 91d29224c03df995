"""The key reference of ``docs/instruments.md``, generated from the schema models.

``python -m peerimpact.instruments.docs`` prints it; a test fails when the
section between the ``schema:start`` / ``schema:end`` markers of
``docs/instruments.md`` differs, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .schema import Cutoff, InstrumentDefinition, Item, MeaningfulChange, Service, Subscale

MODELS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Instrument (top level)", InstrumentDefinition),
    ("Item (`items`)", Item),
    ("Subscale (`subscales`)", Subscale),
    ("Cut-off (`subscales[].cutoffs`)", Cutoff),
    ("Meaningful change (`subscales[].meaningful_change`)", MeaningfulChange),
    ("Service (`services`)", Service),
)


def _type_name(annotation: typing.Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping {_type_name(args[0])} → {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return {str: "text", int: "integer", float: "number", bool: "true/false"}.get(annotation, str(annotation))


def _default(field: typing.Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return "empty"
    if field.default is None or field.default is PydanticUndefined:
        return "—"
    return f"`{str(field.default).lower() if isinstance(field.default, bool) else field.default}`"


def schema_markdown() -> str:
    """Markdown tables: one per model, one row per key (name, type, default, meaning)."""
    out: list[str] = []
    for title, model in MODELS:
        out += [f"### {title}", "", "| Key | Type | Default | Meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            out.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | {field.description or ''} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(schema_markdown())
