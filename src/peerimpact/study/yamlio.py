"""Read YAML while remembering the line each key came from.

Errors in YAML files must name the file and line; PyYAML's node tree carries
start marks, so we compose once, build plain Python data, and keep a map from
key paths (tuples) to 1-based line numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from ..errors import Problem, StudyValidationError

KeyPath = tuple[Any, ...]


def _lines_of(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], key_of) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_of(key_node),)
            lines[child] = key_node.start_mark.line + 1
            _lines_of(value_node, child, lines, key_of)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines_of(item, path + (i,), lines, key_of)


def load_yaml_with_lines(path: Path, display_name: str | None = None) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file; return ``(data, lines)``.

    ``lines`` maps each key path, e.g. ``("sites", 0, "id")``, to its 1-based
    line. A syntax error becomes a :class:`StudyValidationError` naming the
    file and line.
    """
    name = display_name or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyValidationError([Problem(name, None, None, f"is not valid UTF-8 ({exc.reason})")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise StudyValidationError([Problem(name, line, None, f"is not valid YAML: {problem}")]) from None
    lines: dict[KeyPath, int] = {}
    if node is None:
        return None, lines
    # Build the data once from the node tree (no re-parsing), then record each key's line.
    constructor = yaml.SafeLoader("")
    try:
        data = constructor.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise StudyValidationError([Problem(name, line, None, f"is not valid YAML: {getattr(exc, 'problem', exc)}")]) from None

    def key_of(key_node: yaml.Node) -> Any:
        value = constructor.construct_object(key_node, deep=True)
        return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)

    _lines_of(node, (), lines, key_of)
    return data, lines


def line_for(lines: dict[KeyPath, int], path: tuple[Any, ...]) -> int | None:
    """The line of ``path`` or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def model_at(model: type[BaseModel] | None, path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``path`` of a document of ``model`` (for unknown-key hints).

    ``path`` is a pydantic error location: list indexes, dict keys and union tags, which
    are not fields, are passed over; a field is found by name or alias, and its model
    is the first pydantic model inside its annotation (``M``, ``M | None``,
    ``list[M]``, ``dict[str, M]`` ...). Tested in ``tests/study/test_study_model_at.py``.
    """
    current = model
    for part in path:
        if current is None:
            return None
        field = None if isinstance(part, int) else _field(current, str(part))
        if field is not None:
            current = _model_in(field.annotation)
    return current


def _field(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    stack = [annotation]
    while stack:
        ann = stack.pop(0)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
        stack.extend(getattr(ann, "__args__", ()) or ())
    return None
