"""Named sets of ``LocalScaleway`` settings: ``production-like`` turns every realistic
dimension on together, because the guarantees that hold one dimension at a time can break
where two meet (issue 18).

Kept apart from ``emulator.py`` so the CLI can read a profile without starting anything.
"""

from __future__ import annotations

from typing import Any

from .lag import RECORDED_WINDOW

__all__ = ["PROFILES", "production_like"]

# One way, per request and answer (so a round trip pays twice this): a client in the same
# region as Scaleway's API gateway sees a few milliseconds. Our choice; Scaleway publishes none.
LATENCY_MS = 2.5
# A share of API requests answered by a realistic failure (local/faults.py): 503, 429,
# dropped connections, and failures after the change was committed. Our choice.
FAULT_RATE = 0.05
# Scaleway runs each region's NATS as a replicated cluster (README, "Cluster mode").
CLUSTER_SIZE = 3


def production_like(seed: int) -> dict[str, Any]:
    """The ``LocalScaleway`` settings of the production-like profile; faults drawn from
    ``seed`` so a run replays. HTTPS with HTTP/2 (connections recycled gracefully as a
    gateway does), latency, propagation, faults and a 3-node cluster per region."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return {
        "tls": True,  # HTTP/2 and HTTP/1.1 by ALPN, as Scaleway's gateway
        "latency_ms": LATENCY_MS,
        # The live API's lag, as recorded (local/lag.py): GETs of resources written in the
        # last 3 s 404 now and then, drawn from the same seed. Not the fixed propagation_delay:
        # the recordings show writes never lag, and that mode 404s them too.
        "read_lag": RECORDED_WINDOW,
        "read_lag_seed": seed,
        "fault_rate": FAULT_RATE,
        "fault_seed": seed,
        "cluster_size": CLUSTER_SIZE,
        # Connections ended gracefully every 1000 requests, as nginx's and Hypercorn's default.
        "connection_max_requests": 1000,
    }


# `scw-nats local serve --profile NAME`: each profile's settings from a seed.
PROFILES = {"production-like": production_like}
