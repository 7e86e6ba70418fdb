"""No import cycle in scaleway_nats, the emulator included (issue 20.1), function-level
imports too.

The graph is read from the source with `ast`, so an import inside a function (the old way
round a cycle, e.g. app.py importing admin.py inside `asgi()`) counts like one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "wrapper" / "scaleway_nats"


def module_name(path: Path) -> str:
    parts = ["scaleway_nats", *path.relative_to(PACKAGE_DIR).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``path`` imports anywhere in its body."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                # `from . import jwt` imports the module scaleway_nats.local.jwt; `from .app
                # import Api` the module app. (A parent package is always imported before its
                # modules, so that implicit step is no edge.)
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in known else target)
    return {module for module in found if module in known and module != name}


def graph(root: Path) -> dict[str, set[str]]:
    files = list(root.rglob("*.py"))
    known = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, known) for f in files}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_the_package_has_no_import_cycle() -> None:
    edges = graph(PACKAGE_DIR)
    assert {"scaleway_nats.local.app", "scaleway_nats.local.admin"} <= set(edges)  # scanned
    assert cycles(edges) == []


def test_the_scan_sees_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    edges = {
        "scaleway_nats.local.app": {"scaleway_nats.local.service"},
        "scaleway_nats.local.service": set(),
        "scaleway_nats.local.admin": {"scaleway_nats.local.app"},
    }
    assert cycles(edges) == []
    edges["scaleway_nats.local.app"].add("scaleway_nats.local.admin")
    assert cycles(edges) == [["scaleway_nats.local.admin", "scaleway_nats.local.app"]]
