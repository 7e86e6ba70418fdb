"""One emulator per state dir: an OS file lock on ``<state_dir>/emulator.lock``.

Two emulators sharing a state dir break the account quota and corrupt JetStream's store, so
the second one must refuse at once. ``flock`` is released by the kernel when the holder dies
(even on SIGKILL), so a crash never leaves a stale lock; the file holds the holder's PID only
to name it in the error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class StateDirLocked(RuntimeError):
    """Another running emulator holds this state dir."""


class StateDirLock:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "emulator.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StateDirLocked(
                f"state dir {self.path.parent} is in use by another emulator (PID {holder}); "
                "stop it or choose another state dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the last descriptor releases the flock
            self._fd = None
