"""What `kill_node` promises when it returns: the cluster noticed (issue 14).

Killing the JetStream meta leader used to return in 0.1 s while the survivors still named the
dead node as their leader and answered /healthz 200, so the app's next JetStream request timed
out (`scw-nats quickstart` failed once that way). It now returns after their election.
"""

from __future__ import annotations

import asyncio
import time

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.support.cluster import REGION


async def test_killing_the_meta_leader_returns_once_the_others_follow_a_live_one(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    env = all_nodes_up
    cluster = env.servers[REGION]
    account = await cluster_api.create_account(region=REGION, name="leader-kill")
    nc = await connect(account, await cluster_api.create_credentials(account), env.ca_file)
    try:
        leader = cluster.nodes[0].meta_leader()
        (index,) = [node.index for node in cluster.nodes if node.name == leader]

        started = time.monotonic()
        await asyncio.to_thread(env.kill_node, REGION, index)
        returned_after = time.monotonic() - started

        survivors = cluster.running_nodes()
        followed = {node.name: node.meta_leader() for node in survivors}
        assert len(set(followed.values())) == 1, followed
        assert set(followed.values()) <= {node.name for node in survivors}, followed
        # ...so a JetStream request answered by the meta leader works at once.
        info = await nc.jetstream(timeout=2).account_info()
        assert info.limits.max_storage > 0
        print(f"\nFIGURES meta leader {index} killed: kill_node returned in {returned_after:.2f} s")
    finally:
        await nc.close()
        await cluster_api.delete_account(account)
