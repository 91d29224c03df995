"""The JSON API table of ``docs/web.md``, generated from the OpenAPI schema.

``make docs`` (``docs/generate.py``) writes it between the ``api:start`` /
``api:end`` markers; ``tests/test_generated_docs.py`` fails when they differ,
so a new or changed endpoint cannot be left out of the documentation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["api_markdown", "api_table", "openapi_schema"]


def openapi_schema() -> dict[str, Any]:
    """The API's OpenAPI document (Django must be set up)."""
    from .api.routes import api

    return api.get_openapi_schema(path_prefix="/api")


def _body_fields(op: dict[str, Any], schema: dict[str, Any]) -> str:
    """``{a, b?}``: the request body's fields, ``?`` marking the optional ones."""
    content = op.get("requestBody", {}).get("content", {})
    ref = next(iter(content.values()), {}).get("schema", {}).get("$ref")
    if not ref:
        return ""
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    required = set(component.get("required", ()))
    names = [name if name in required else f"{name}?" for name in component.get("properties", {})]
    return "{" + ", ".join(names) + "}"


def _query(op: dict[str, Any]) -> str:
    names = [p["name"] for p in op.get("parameters", ()) if p.get("in") == "query"]
    return ("?" + "&".join(f"{n}=" for n in names)) if names else ""


def api_table(schema: dict[str, Any]) -> list[str]:
    """One row per endpoint, in the schema's order: method and path, request fields, summary."""
    rows = ["| method and path | request | what |", "|---|---|---|"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = _body_fields(op, schema)
            rows.append(f"| `{method.upper()} {path}{_query(op)}` | {f'`{body}`' if body else ''} | {op.get('summary', '')} |")
    return rows


def api_markdown() -> str:
    """The generated section (no trailing newline beyond the table's)."""
    return "\n".join(api_table(openapi_schema())) + "\n"
