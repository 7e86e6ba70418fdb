"""Account usage on a 3-node cluster (issue 21): an R3 stream counts three times, as
nats-server counts it against the account's storage (nats-server #4281)."""

from __future__ import annotations

from scaleway_nats.local import LocalScaleway
from tests.usage_check import store_and_read


async def test_usage_counts_every_replica_as_nats_server_does(cluster: LocalScaleway) -> None:
    usage, expected, raw = await store_and_read(cluster, {"R1": 1, "R3": 3}, 30, 2000)
    assert usage.storage.used == expected == raw["storage"]
    assert usage.streams.used == 2
    print(f"FIGURES usage R1+R3: {usage.storage.used} bytes of {usage.storage.limit}")
