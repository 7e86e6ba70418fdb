"""The API surface of a generated client tree, read from its source (no import).

Operations (endpoint modules), their parameters, schema properties and enum values: what
`scripts/generate.py` compares before and after regenerating to print a changelog.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["changelog", "surface"]


def _enum_values(node: ast.ClassDef) -> list[str]:
    return [
        str(item.value.value)
        for item in node.body
        if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant)
    ]


def _properties(node: ast.ClassDef) -> list[str]:
    return [
        item.target.id
        for item in node.body
        if isinstance(item, ast.AnnAssign)
        and isinstance(item.target, ast.Name)
        and item.target.id != "additional_properties"
    ]


def surface(package: Path) -> set[str]:
    """Lines such as 'operation get_nats_account', 'parameter list_nats_accounts(page)',
    'property NatsAccount.name', 'enum value ListNatsAccountsOrderBy: name_asc'."""
    found: set[str] = set()
    if not package.is_dir():
        return found
    for module in sorted((package / "api").rglob("*.py")):
        if module.name == "__init__.py":
            continue
        operation = module.stem
        found.add(f"operation {operation}")
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name == "request_kwargs":
                arguments = node.args.args + node.args.kwonlyargs
                found.update(f"parameter {operation}({a.arg})" for a in arguments)
    for module in sorted((package / "models").glob("*.py")):
        for node in ast.parse(module.read_text()).body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if "Enum" in bases:
                found.update(f"enum value {node.name}: {v}" for v in _enum_values(node))
            else:
                found.update(f"property {node.name}.{p}" for p in _properties(node))
    return found


def changelog(before: Path, after: Path) -> list[str]:
    """What regenerating changed, one line each: '+ ...' added, '- ...' removed."""
    old, new = surface(before), surface(after)
    return [f"+ {line}" for line in sorted(new - old)] + [f"- {line}" for line in sorted(old - new)]
