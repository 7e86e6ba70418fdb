"""The chaos suite's JetStream probes (tests/chaos/probes.py) against a stream that has just
lost its leader: no publish may crash the step, as nats-server answers nobody meanwhile."""

from __future__ import annotations

import asyncio

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from tests.chaos import probes
from tests.support.cluster import REGION

from .test_stream_catchup import stream_views


async def test_publishes_while_the_stream_elects_are_not_counted_and_crash_nothing(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    """Between the kill of an R3 stream's leader and the next election (nats-server's 4-9 s
    election timeout) nobody subscribes to the stream's subjects: a publish meets "no
    responders" (nats.js NoStreamResponseError; nats-io/nats-server#3779). That is a publish
    with no ack, which the probe does not count, like a timeout; the acked ones stay readable."""
    env = all_nodes_up
    account = await cluster_api.create_account(region=REGION, name="chaos-probes")
    creds = await cluster_api.create_credentials(account)
    index = 0
    try:
        acked = await probes.publish(env, account.id, creds, 1)
        views = stream_views(env, probes.STREAM)
        leader = next(name for name, view in views.items() if view["cluster"].get("leader") == name)
        index = next(node.index for node in env.servers[REGION].nodes if node.name == leader)
        await asyncio.to_thread(env.kill_node, REGION, index)
        acked.update(await probes.publish(env, account.id, creds, 5))
        assert await probes.lost(env, creds, acked) == []
    finally:
        await asyncio.to_thread(env.start_node, REGION, index)
        await cluster_api.delete_account(account)
