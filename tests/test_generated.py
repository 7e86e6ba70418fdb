"""The two generated trees must be exactly what their scripts make: generated/ of spec/
(scripts/generate.py) and wrapper/scaleway_nats/_sync/ of _async/ (scripts/unasync.py). No
hand edits, nothing stale; each script's --check names a hand-edited file and how to remake it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import run_captured

ROOT = Path(__file__).resolve().parent.parent
SYNC = ROOT / "wrapper" / "scaleway_nats" / "_sync"


@dataclass(frozen=True)
class Generated:
    """A tree a script makes, and a hand edit its --check must catch."""

    script: Path
    tree: Path
    edited: str  # a file of the tree, relative to it
    edit: Callable[[str], str]  # the file's text -> the hand-edited text
    remake: str  # how --check tells to make the tree again

    def check(self, target: Path) -> subprocess.CompletedProcess[str]:
        return run_captured(
            [sys.executable, str(self.script), "--check", "--target", str(target)], timeout=120
        )


TREES = {
    "client-from-spec": Generated(
        ROOT / "scripts" / "generate.py",
        ROOT / "generated" / "scaleway_nats_api",
        "models/nats_account.py",
        lambda text: "import os  # hand edit\n" + text.partition("\n")[2],  # its first line
        "nox -s generate",
    ),
    "sync-from-async": Generated(
        ROOT / "scripts" / "unasync.py",
        SYNC,
        "requester.py",
        lambda text: text.replace("def send(", "def send_(", 1),
        "scripts/unasync.py",
    ),
}


@pytest.mark.parametrize("generated", TREES.values(), ids=TREES.keys())
def test_the_tree_is_what_its_script_makes(generated: Generated) -> None:
    result = generated.check(generated.tree)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("generated", TREES.values(), ids=TREES.keys())
def test_check_names_a_hand_edited_file(generated: Generated, tmp_path: Path) -> None:
    copy = tmp_path / generated.tree.name
    shutil.copytree(generated.tree, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / generated.edited
    edited.write_text(generated.edit(edited.read_text()))

    result = generated.check(copy)

    assert result.returncode == 1
    assert f"modified: {generated.edited}" in result.stderr
    assert generated.remake in result.stderr


def test_the_sync_twin_has_no_async_left() -> None:
    for module in SYNC.glob("*.py"):
        text = module.read_text()
        for word in ("async def", "async for", "async with", "await ", "asyncio.", "Awaitable["):
            assert word not in text, f"{module.name} still says {word!r}"
