"""Process helpers for tests that run commands or start the emulator as a subprocess (Linux
/proc)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def nats_server_pids(parent: int) -> list[int]:
    """Children of ``parent`` (Linux /proc), i.e. the region servers."""
    pids: list[int] = []
    for task in Path(f"/proc/{parent}/task").iterdir():
        children = task / "children"
        pids += [int(p) for p in children.read_text().split()]
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def wait_dead(pids: list[int], seconds: float = 10.0) -> list[int]:
    """Wait (bounded) for `pids` to die; return the survivors."""
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def reap(proc: subprocess.Popen[str], seconds: float = 10.0) -> None:
    """SIGKILL ``proc`` if a test left it running (its ``finally``), waiting bounded."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(seconds)


def run_captured(
    command: Sequence[str], *, timeout: float = 60.0, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run `command` to its end, at most `timeout` s, its stdout and stderr captured as text.

    The exit status is the caller's to assert (`check=True` raises on a failure instead). A
    command still running after `timeout` fails the test with what it printed so far: the
    step it hung on (CI once only said "timed out after 240 seconds").
    """
    options.setdefault("check", False)
    try:
        return subprocess.run(
            list(command), capture_output=True, text=True, timeout=timeout, **options
        )
    except subprocess.TimeoutExpired as expired:
        printed = "\n".join(_text(out)[-3000:] for out in (expired.stdout, expired.stderr))
        raise AssertionError(
            f"{' '.join(command)} did not finish in {timeout} s; it printed:\n{printed}"
        ) from None


def _text(output: str | bytes | None) -> str:
    # TimeoutExpired carries bytes even with text=True (CPython's subprocess.run).
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""
