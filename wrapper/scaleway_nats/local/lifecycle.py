"""`with` for what the emulator starts and stops: `start()` on entry, `stop()` on exit.

LocalScaleway and LatencyProxy are used both ways, `x.start()` ... `x.stop()` and
`with X(...) as x:`; this is the one place the second is spelled out.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import TypeVar

S = TypeVar("S", bound="Startable")  # typing.Self once mypy checks for 3.11 (pyproject)


class Startable(abc.ABC):
    """Started by `start()` (which returns it), stopped by `stop()` (idempotent); `close()` is
    `stop()`, and `with` does both."""

    @abc.abstractmethod
    def start(self: S) -> S: ...

    @abc.abstractmethod
    def stop(self) -> None: ...

    def close(self) -> None:
        self.stop()

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
