"""quickstart() and the smoke script against an emulator with `propagation_delay=2` (issue 9).

Right after a create, the real API may answer 404/403 for the new resource and nats-server
may refuse the new credentials for a moment. The client's bounded retries (propagation window
in the API client, `authorization_wait` in connect()) must carry both through.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scaleway_nats.local import LocalScaleway
from scaleway_nats.quickstart import quickstart

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def slow() -> Iterator[LocalScaleway]:
    with LocalScaleway(propagation_delay=2.0) as env:
        yield env


def test_quickstart_waits_out_the_propagation_delay(slow: LocalScaleway) -> None:
    result = quickstart(
        local=False,
        secret_key=slow.secret_key,
        project_id=slow.project_id,
        api_url=slow.api_url,
        ca_file=slow.ca_file,
    )
    assert result.ok, result.failed_step
    assert result.message == "Hi there!"


def test_smoke_script_passes_with_a_propagation_delay(slow: LocalScaleway) -> None:
    env = {
        **os.environ,
        "SCW_SECRET_KEY": slow.secret_key,
        "SCW_DEFAULT_PROJECT_ID": slow.project_id,
        "SCW_API_URL": slow.api_url,
        "SCW_NATS_CA_FILE": slow.ca_file,
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "smoke.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
