"""tests/support/serve.py: a child that hangs before its first line fails the test, bounded,
with what it wrote; it does not hang the suite as a bare ``readline()`` did."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.serve import StartFailed, serving, start

HANGS = "import sys, time; print('warming up', file=sys.stderr, flush=True); time.sleep(600)"
EXITS = "import sys; print('bad flag', file=sys.stderr); sys.exit(2)"


def test_a_silent_child_is_killed_and_its_output_shown() -> None:
    with pytest.raises(StartFailed, match=r"no line within 1 s.*warming up") as failure:
        start([sys.executable, "-c", HANGS], timeout=1)
    assert "exit status -9" in str(failure.value)  # killed, not left running


def test_a_child_exiting_without_a_line_says_so_with_its_stderr() -> None:
    with pytest.raises(StartFailed, match=r"exited without a line.*exit status 2.*bad flag"):
        start([sys.executable, "-c", EXITS], timeout=30)


def test_the_first_line_is_returned_and_the_child_stopped_after_the_block() -> None:
    command = [
        sys.executable,
        "-c",
        "import time; print('{\"port\": 1}', flush=True); time.sleep(600)",
    ]
    with serving(command, timeout=30, stderr=subprocess.DEVNULL) as started:
        assert started.info == {"port": 1}
        assert started.proc.poll() is None
    assert started.proc.poll() is not None
