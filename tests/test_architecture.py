"""Keep ARCHITECTURE.md true: the folder map matches the tree and the import rules hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "src" / "peerimpact"
ADAPTERS = {"cli", "web"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel_parts = path.relative_to(PKG).parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel_parts[: len(rel_parts) - node.level + 1])
                mod = ".".join(["peerimpact", *base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return found


CORE_MODULES = sorted(
    p for p in PKG.rglob("*.py") if p.relative_to(PKG).parts[0] not in ADAPTERS
)


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_core_never_imports_cli_or_web(path):
    bad = {m for m in _imports(path) if re.match(r"^peerimpact\.(cli|web)(\.|$)", m)}
    assert not bad, f"{path.relative_to(REPO)} imports adapters: {sorted(bad)}"


def test_folder_map_lists_every_package_folder():
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    mapped = set(re.findall(r"^\| `([a-z_]+)/` \|", text, flags=re.M))
    actual = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert actual <= mapped, f"folders missing from ARCHITECTURE.md: {sorted(actual - mapped)}"
    assert mapped - {"web"} <= actual | {"web"}, f"mapped but absent: {sorted(mapped - actual)}"
