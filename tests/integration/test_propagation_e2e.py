"""quickstart() and the smoke script against an emulator with `propagation_delay=2` (issue 9).

Right after a create, the real API may answer 404/403 for the new resource and nats-server
may refuse the new credentials for a moment. The client's bounded retries (propagation window
in the API client, `authorization_wait` in connect()) must carry both through.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaleway_nats.local import LocalScaleway
from tests.support.clients import quickstart_on
from tests.support.processes import run_captured

ROOT = Path(__file__).resolve().parents[2]
# The smoke script bounds each step (STEP_TIMEOUT, 120 s): a hang fails one step, named, and
# the run cleans up; its ~20 steps take ~4 s here. This bound only stops it short of
# pytest-timeout (300 s), whose report would not show what the script printed.
SMOKE_TIMEOUT = 280


@pytest.fixture(scope="module")
def slow() -> Iterator[LocalScaleway]:
    with LocalScaleway(propagation_delay=2.0) as env:
        yield env


def assert_quickstart_passes(env: LocalScaleway) -> None:
    """quickstart() against `env`, as a user with its settings would run it."""
    result = quickstart_on(env, ca_file=env.ca_file)
    assert result.ok, result.failed_step
    assert result.message == "Hi there!"


def assert_smoke_script_passes(env: LocalScaleway) -> None:
    """scripts/smoke.py against `env`, in its own process, configured by SCW_* variables."""
    variables = {
        **os.environ,
        "SCW_SECRET_KEY": env.secret_key,
        "SCW_DEFAULT_PROJECT_ID": env.project_id,
        "SCW_API_URL": env.api_url,
        "SCW_NATS_CA_FILE": env.ca_file,
    }
    done = run_captured(
        [sys.executable, str(ROOT / "scripts" / "smoke.py")], timeout=SMOKE_TIMEOUT, env=variables
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_quickstart_waits_out_the_propagation_delay(slow: LocalScaleway) -> None:
    assert_quickstart_passes(slow)


def test_smoke_script_passes_with_a_propagation_delay(slow: LocalScaleway) -> None:
    assert_smoke_script_passes(slow)
