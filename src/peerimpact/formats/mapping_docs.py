"""The key reference of ``docs/mapping.md``, generated from the mapping models.

``docs/mapping.md`` holds this text between ``<!-- reference:start -->`` and
``<!-- reference:end -->``; a test fails when they drift apart.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .mapping import Block, ColumnSpec, InstrumentSpec, Mapping, ServiceSpec, SourceOptions, Tables, TimepointSpec

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("mapping.yaml (top level)", Mapping),
    ("sources.<name>", SourceOptions),
    ("tables", Tables),
    ("A block (tables.<table> or one item of its list)", Block),
    ("A column (columns.<study column>; a bare string is a source column)", ColumnSpec),
    ("timepoint", TimepointSpec),
    ("instruments.<instrument> (a bare string is the pattern)", InstrumentSpec),
    ("services.<service>", ServiceSpec),
]


def _type(ann: Any) -> str:
    origin = get_origin(ann)
    if origin is None:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return {Block: "block", ColumnSpec: "column", TimepointSpec: "timepoint", Tables: "tables"}.get(ann, ann.__name__)
        if isinstance(ann, type):
            return {"str": "text", "int": "integer", "float": "number", "bool": "true/false", "NoneType": "null"}.get(ann.__name__, ann.__name__)
        return str(ann).replace("typing.", "")
    args = [a for a in get_args(ann)]
    if origin is list:
        inner = _type(args[0])
        return "block or list of blocks" if inner == "block" else f"list of {inner}"
    if origin is dict:
        return "mapping"
    if str(origin).endswith("Literal"):
        shown = {"\t": "tab character", "|": "\\|"}
        return ", ".join(shown.get(a, f"`{a}`") if isinstance(a, str) else f"`{a}`" for a in args)
    return " or ".join(dict.fromkeys(_type(a) for a in args if a is not type(None)))


def _default(field) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        return f"`{value}`" if value not in ([], {}) else "empty"
    if field.default is None or field.default is PydanticUndefined:
        return "none"
    return f"`{field.default}`"


def reference_markdown() -> str:
    """Markdown tables of every mapping key: type, default and help."""
    out: list[str] = []
    for title, model in SECTIONS:
        out += [f"### {title}", "", "| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            key = field.alias or name
            help_text = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type(field.annotation)} | {_default(field)} | {help_text} |")
        out.append("")
    return "\n".join(out)
