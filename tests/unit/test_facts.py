"""Each Scaleway fact lives in scaleway_nats/facts.py only (issue 20.2).

The client, the emulator and the tests import it from there. A second literal copy would not
make the emulator a more independent oracle (both would cite the same source); it would only
let the two drift. This scans the source with `ast`: a module-level name of a fact bound to a
literal, the regions written out, or a loopback check of its own, anywhere but facts.py, fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

from scaleway_nats.facts import REGIONS

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "wrapper" / "scaleway_nats" / "facts.py"
# Today's names and the names the same facts had before they moved (so they do not come back).
FACT_NAMES = {
    "REGIONS", "ORDERS", "ORDER_BY", "DEFAULT_ORDER",
    "ACCOUNT_NAME_MAX", "CREDENTIALS_NAME_MAX", "MAX_ACCOUNT_NAME", "MAX_CREDENTIALS_NAME",
    "PAGE_SIZE_DEFAULT", "PAGE_SIZE_MAX", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE",
    "PAGE_MAX", "MAX_PAGE", "INT32_MAX",
    "ACCOUNT_ID_LENGTH", "ACCOUNT_ID_PATTERN", "_ACCOUNT_ID",
    "MAX_ACCOUNTS", "MAX_STREAMS", "MAX_CONSUMERS", "MAX_STORAGE", "MAX_MEMORY", "MAX_PAYLOAD",
}  # fmt: skip


def _sources() -> list[Path]:
    files = [*(ROOT / "wrapper" / "scaleway_nats").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    return [f for f in files if f != HOME and "_sync" not in f.parts]


def _is_literal(node: ast.expr) -> bool:
    """A value written out: constants, and tuples/lists/dicts/arithmetic/calls of them only."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(v is not None and _is_literal(v) for v in [*node.keys, *node.values])
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) and _is_literal(node.right)
    if isinstance(node, ast.Call):  # re.compile("A[A-Z2-7]{55}")
        return all(_is_literal(a) for a in node.args)
    return False


def copies(path: Path) -> list[str]:
    """Where ``path`` states a fact of its own: ``file:line what``."""
    tree = ast.parse(path.read_text(), str(path))
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        for target in targets:
            named = isinstance(target, ast.Name) and target.id in FACT_NAMES
            if named and value is not None and _is_literal(value):
                found.append(f"{name}:{node.lineno} {target.id}")
    # Literal["fr-par", "nl-ams"] is a type, checked against the spec by test_spec.py.
    types = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Tuple | ast.List)
            and id(node) not in types
            and [e.value for e in node.elts if isinstance(e, ast.Constant)] == list(REGIONS)
        ):
            found.append(f"{name}:{node.lineno} the regions")
        # ipaddress.ip_address(host).is_loopback is a check of its own; facts.is_loopback is the one
        loopback = isinstance(node, ast.Attribute) and node.attr == "is_loopback"
        if loopback and isinstance(getattr(node, "value", None), ast.Call):
            found.append(f"{name}:{node.lineno} a loopback check")
    return found


def test_every_scaleway_fact_has_one_home() -> None:
    assert [where for path in _sources() for where in copies(path)] == []


def test_the_scan_finds_a_copy(tmp_path: Path) -> None:
    """The scan itself works: each kind of copy it must refuse is found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        'PAGE_SIZE_MAX = 100\nX = ("fr-par", "nl-ams")\n'
        "import ipaddress\nok = ipaddress.ip_address('::1').is_loopback\n"
    )
    assert [w.split(" ", 1)[1] for w in copies(sample)] == [
        "PAGE_SIZE_MAX",
        "the regions",
        "a loopback check",
    ]
