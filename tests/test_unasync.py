"""wrapper/scaleway_nats/_sync/ must be exactly what scripts/unasync.py makes of _async/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNASYNC = ROOT / "scripts" / "unasync.py"
SYNC = ROOT / "wrapper" / "scaleway_nats" / "_sync"


def run_check(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(UNASYNC), "--check", "--target", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_sync_client_is_generated_from_the_async_one() -> None:
    result = run_check(SYNC)
    assert result.returncode == 0, result.stderr


def test_check_names_a_hand_edited_sync_file(tmp_path: Path) -> None:
    copy = tmp_path / "_sync"
    shutil.copytree(SYNC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "requester.py"
    edited.write_text(edited.read_text().replace("def send(", "def send_(", 1))

    result = run_check(copy)

    assert result.returncode == 1
    assert "modified: requester.py" in result.stderr
    assert "scripts/unasync.py" in result.stderr


def test_the_sync_twin_has_no_async_left() -> None:
    for module in SYNC.glob("*.py"):
        text = module.read_text()
        for word in ("async def", "async for", "async with", "await ", "asyncio.", "Awaitable["):
            assert word not in text, f"{module.name} still says {word!r}"
