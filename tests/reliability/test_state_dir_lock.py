"""One emulator per state dir (issue 10, item 2): a second one refuses at once.

Two emulators on one state dir both started: the account quota was exceeded and JetStream's
store corrupted. The state dir is now held with an OS file lock (released by the kernel on a
crash); the second start fails with one line naming the dir and the holder's PID.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from scaleway_nats.local import LocalScaleway, StateDirLocked
from tests.support.serve import start


def test_a_second_emulator_on_the_same_state_dir_refuses(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state) as first:
        with pytest.raises(StateDirLocked) as refused:
            LocalScaleway(state_dir=state).start()
        message = str(refused.value)
        assert "\n" not in message
        assert str(state) in message
        assert f"PID {os.getpid()}" in message
        # The first one is untouched and still serves.
        assert first.organization_id
    # Released on stop: the next start works.
    with LocalScaleway(state_dir=state):
        pass


def test_the_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    started = start(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from scaleway_nats.local import LocalScaleway\n"
            f"env = LocalScaleway(state_dir={str(state)!r}).start()\n"
            "print('ready', flush=True)\n"
            "time.sleep(120)\n",
        ]
    )
    holder = started.proc
    try:
        assert started.line.strip() == "ready"
        with pytest.raises(StateDirLocked, match=f"PID {holder.pid}"):
            LocalScaleway(state_dir=state).start()
    finally:
        started.close()
    with LocalScaleway(state_dir=state) as env:  # SIGKILL released the lock
        assert env.organization_id
