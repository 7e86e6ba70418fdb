"""Scenario "startup" (issue 14): `LocalScaleway.start()` with 1 and with 3 nodes per region."""

from __future__ import annotations

import time

from scaleway_nats.local import LocalScaleway

from ..measuring import Measurement, Result, ratio
from ..peers import Bench

STARTUP_SIZES = {"1-node": 1, "3-node": 3}  # peer -> nats-servers per region


def scenario_startup(bench: Bench) -> list[Result]:
    """9. emulator start-up, both regions: 1 nats-server each, then a 3-node cluster each."""
    samples: dict[str, list[float]] = {peer: [] for peer in STARTUP_SIZES}
    for _ in range(bench.sizes.startup_repeats):  # taking turns, like measure_side_by_side
        for peer, size in STARTUP_SIZES.items():
            env = LocalScaleway(cluster_size=size)  # its own temporary state dir
            started = time.perf_counter()
            try:
                env.start()  # returns once every node is routed and its JetStream current
                samples[peer].append(time.perf_counter() - started)
            finally:
                env.stop()  # not timed
    rows = [
        Result(
            "startup",
            f"emulator start-up, 2 regions x {size} node{'s' if size > 1 else ''}",
            peer,
            "ms",
            1000,
            Measurement(samples[peer]),
        )
        for peer, size in STARTUP_SIZES.items()
    ]
    times = ratio(rows[1], rows[0])
    if times is not None:
        rows[1].note = f"{times:.2f}x the 1-node start-up"
    return rows
