"""Keep ARCHITECTURE.md true: the folder map matches the tree, the layers hold, no import cycles.

The layers are read from ARCHITECTURE.md's "Layers" table, so the document is the rule and
this test its enforcement. Every import counts: at module level, inside functions, and
``__import__`` / ``importlib.import_module`` with a literal name. Only imports under
``if TYPE_CHECKING:`` are exempt (they do not run).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "src" / "peerimpact"
DOC = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
API = "peerimpact"  # the package __init__: the public API
# The version string is the first statement of peerimpact/__init__.py, before any import,
# so `from .. import __version__` depends on nothing: it is ground level.
GROUND_NAMES = {"peerimpact.__version__"}
# The one web module the command line may import (serve, db ...).
WEB_ENTRY = "peerimpact.web.commands"


# --------------------------------------------------------------------------- reading the code
def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PKG.parent / rel).with_suffix(".py").is_file() or (PKG.parent / rel / "__init__.py").is_file()


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_runtime(node: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            yield from (n for orelse in child.orelse for n in [orelse, *_walk_runtime(orelse)])
            continue
        yield child
        yield from _walk_runtime(child)


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (or a ground name)
    line: int


def imports_of(path: Path) -> list[Edge]:
    """The peerimpact modules ``path`` imports, resolved to module names."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    edges = []
    for node in _walk_runtime(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            for alias in node.names:
                full = f"{mod}.{alias.name}"
                targets.append(full if is_module(full) or full in GROUND_NAMES else mod)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("__import__", "import_module"):
                targets = [node.args[0].value]
        edges += [Edge(me, t, node.lineno) for t in targets if t == API or t.startswith(API + ".")]
    return edges


MODULES = sorted(PKG.rglob("*.py"))
EDGES = [e for p in MODULES for e in imports_of(p)]


def component(name: str) -> str:
    """The top-level part a module belongs to: ``study``, ``errors``, ... or the API."""
    if name in GROUND_NAMES:
        return "(version)"
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else API


# --------------------------------------------------------------------------- reading the document
def documented_layers() -> dict[str, int]:
    section = DOC.split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, int] = {"(version)": 0}
    for level, cells in re.findall(r"^\| (\d+) \| (.+?) \|", section, flags=re.M):
        for item in re.findall(r"`([^`]+)`", cells):
            if item == "__version__":
                continue
            name = item.removesuffix("/").removesuffix(".py").removesuffix("/__init__")
            layers["peerimpact" if name == "peerimpact" else name] = int(level)
    return layers


LAYERS = documented_layers()


def test_every_part_of_the_package_has_a_documented_layer():
    parts = {component(module_name(p)) for p in MODULES}
    assert parts - set(LAYERS) == set(), "add these to ARCHITECTURE.md's Layers table"
    assert set(LAYERS) - parts - {"(version)"} == set(), "documented but not in the package"
    assert LAYERS["errors"] == 0 and LAYERS["study"] < LAYERS["instruments"] < LAYERS["scoring"] < LAYERS["quant"]
    assert LAYERS["quant"] == LAYERS["qual"] < LAYERS["synthesis"] < LAYERS["report"] < LAYERS["pipeline"] < LAYERS["cli"] == LAYERS["web"]


# --------------------------------------------------------------------------- the rules
def _upward(edge: Edge) -> bool:
    src, dst = component(edge.source), component(edge.target)
    if src == dst:
        return False
    if {src, dst} == {"cli", "web"}:  # the two adapters: see test_cli_reaches_web_only_through_its_entry_point
        return False
    return LAYERS[dst] > LAYERS[src]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_upward_import(path):
    me = module_name(path)
    bad = [f"line {e.line}: {e.target} ({component(e.target)}, layer {LAYERS[component(e.target)]})"
           for e in EDGES if e.source == me and _upward(e)]
    assert bad == [], f"{path.relative_to(REPO)} (layer {LAYERS[component(me)]}) imports upward"


def test_core_never_imports_cli_or_web():
    bad = [f"{e.source}:{e.line} -> {e.target}" for e in EDGES
           if component(e.source) not in ("cli", "web") and component(e.target) in ("cli", "web")]
    assert bad == []


def test_web_never_imports_cli():
    assert [f"{e.source}:{e.line}" for e in EDGES if component(e.source) == "web" and component(e.target) == "cli"] == []


def test_cli_reaches_web_only_through_its_entry_point():
    reached = {e.target for e in EDGES if component(e.source) == "cli" and component(e.target) == "web"}
    assert reached == {WEB_ENTRY}
    assert f"`{WEB_ENTRY.removeprefix('peerimpact.').replace('.', '/')}.py`" in DOC


def test_cli_never_touches_django():
    cli = [p for p in MODULES if component(module_name(p)) == "cli"]
    offenders = [str(p.relative_to(PKG)) for p in cli if re.search(r"^\s*(from|import) django", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


# --------------------------------------------------------------------------- cycles
def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one node or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in graph.get(node, ()):
                    found.append(sorted(members))
    return found


@pytest.mark.parametrize(
    "graph, cycles",
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"a"}}, [["a"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
    ids=["triangle", "chain", "self-loop", "two-pairs"],
)
def test_cycle_finder(graph, cycles):
    assert sorted(strongly_connected(graph)) == cycles


def _graph(key) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for e in EDGES:
        a, b = key(e.source), key(e.target)
        if a != b and b != "(version)":
            graph.setdefault(a, set()).add(b)
    return graph


def test_no_import_cycle_between_modules():
    graph = _graph(lambda name: name)
    # Edges from a package __init__ to its own submodules are re-exports, not dependencies.
    for src in list(graph):
        graph[src] = {dst for dst in graph[src] if not dst.startswith(src + ".")}
    assert strongly_connected(graph) == []


def test_no_import_cycle_between_packages():
    assert strongly_connected(_graph(component)) == []


# --------------------------------------------------------------------------- the folder map
def test_folder_map_lists_every_package_folder_and_module():
    mapped = set(re.findall(r"^\| `([a-z_]+/|[a-z_]+\.py)` \|", DOC, flags=re.M))
    actual = {f"{p.name}/" for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    actual |= {p.name for p in PKG.glob("*.py") if p.name != "__init__.py"}
    assert actual - mapped == set(), "missing from ARCHITECTURE.md's folder map"
    assert mapped - actual == set(), "in ARCHITECTURE.md's folder map but absent"


def test_subfolders_are_documented():
    """A sub-package (e.g. ``qual/refi/``, ``web/coding/``) is named in ARCHITECTURE.md."""
    subs = sorted(
        p.relative_to(PKG).as_posix() + "/"
        for p in PKG.glob("*/*")
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in ("migrations", "settings")
    )
    missing = [s for s in subs if f"`{s}`" not in DOC]
    assert missing == []
