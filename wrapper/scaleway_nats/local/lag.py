"""The read lag of the live API: a read of a resource created a few seconds ago may 404.

What Scaleway's recordings show (scaleway/terraform-provider-scaleway
internal/services/mnq/testdata/nats-credentials-update-name.cassette.yaml, 2026-04-10): a GET
on an account created a moment before answers 200, then 404, then 200 (steps 4-6), 404 again
about 2.5 s after its create (step 13), and a GET on new credentials goes 200 -> 404 -> 200
twice (steps 19-21, 23-24). Reads land on replicas, some behind. Every such 404 names
``"resource": "namespace"`` with the account id, on a credentials GET too. Writes (create,
delete, rename) never lagged in the recordings, nor reads of resources older than 3 s.

So: a GET of a resource created less than ``window`` seconds ago fails with probability
``rate``, drawn from a generator seeded with ``seed``: the same seed and the same reads give
the same answers. ``RECORDED_RATE`` is the recordings' own ratio: 4 lagging GETs out of the
26 GETs made within 3 s of their resource's create, over the four vendored recordings
(tests/data/recordings, counted by tests/local/test_recordings.py).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable

RECORDED_WINDOW = 3.0
RECORDED_RATE = 0.15


def age(stamp: str) -> float:
    """Seconds since an RFC 3339 UTC stamp of the emulator (``...SS.ffffff[fff]Z``)."""
    then = dt.datetime.strptime(stamp[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=dt.UTC)
    return (dt.datetime.now(dt.UTC) - then).total_seconds()


class ReadLag:
    """Decides which reads of young resources hit a replica that is behind.

    ``draw`` is the random source (True: this read lags); a test may replace it to replay a
    recorded sequence of outcomes.
    """

    def __init__(self, window: float, rate: float = RECORDED_RATE, seed: int = 0) -> None:
        if not 0.0 <= window <= 3600:
            raise ValueError(f"read_lag must be 0..3600 seconds, got {window}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"read_lag_rate must be between 0 and 1, got {rate}")
        self.window = float(window)
        self.rate = rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.draw: Callable[[], bool] = self._draw

    def _draw(self) -> bool:
        with self._lock:
            return self._random.random() < self.rate

    def lagging(self, created_at: str) -> bool:
        """Whether this read of a resource created at ``created_at`` answers 404."""
        return bool(self.window) and age(created_at) < self.window and self.draw()
