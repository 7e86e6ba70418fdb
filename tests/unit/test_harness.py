"""The test harness itself: a command that hangs fails its test with what it printed."""

from __future__ import annotations

import sys

import pytest

from tests.support.processes import run_captured


def test_a_command_that_hangs_fails_with_what_it_printed_so_far() -> None:
    script = "import time; print('ok   step 1', flush=True); time.sleep(60)"
    with pytest.raises(AssertionError, match="did not finish in 1 s; it printed:\nok   step 1"):
        run_captured([sys.executable, "-c", script], timeout=1)
