"""generated/ must be exactly what spec/ produces: no hand edits, no stale client."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "scripts" / "generate.py"
GENERATED = ROOT / "generated" / "scaleway_nats_api"


def run_check(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATE), "--check", "--target", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_generated_client_matches_the_spec() -> None:
    result = run_check(GENERATED)
    assert result.returncode == 0, result.stderr


def test_check_names_a_hand_edited_file(tmp_path: Path) -> None:
    copy = tmp_path / "scaleway_nats_api"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "models" / "nats_account.py"
    lines = edited.read_text().splitlines(keepends=True)
    lines[0] = "import os  # hand edit\n"
    edited.write_text("".join(lines))

    result = run_check(copy)

    assert result.returncode == 1
    assert "modified: models/nats_account.py" in result.stderr
    assert "nox -s generate" in result.stderr
