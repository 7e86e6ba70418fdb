"""One 3-node emulator (both regions) shared by the cluster tests, and their helpers.

Tests that break nodes leave every node running again (the ``all_nodes_up`` fixture checks
and restores that), so the next test starts from a whole cluster.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway

SIZE = 3
REGION = "fr-par"


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalScaleway]:
    """One emulator whose regions each run 3 nats-servers, for every test of this folder."""
    with LocalScaleway(cluster_size=SIZE, max_accounts=1000) as env:
        yield env


@pytest.fixture
def all_nodes_up(cluster: LocalScaleway) -> Iterator[LocalScaleway]:
    """The shared cluster, with every node started again after the test (even a failed one)."""
    yield cluster
    for region, servers in cluster.servers.items():
        for node in servers.nodes:
            if not node.running:
                cluster.start_node(region, node.index)


@pytest.fixture
async def api(cluster: LocalScaleway) -> AsyncIterator[AsyncNatsAPI]:
    async with AsyncNatsAPI(
        secret_key=cluster.secret_key, project_id=cluster.project_id, api_url=cluster.api_url
    ) as client:
        yield client


def serving_node(env: LocalScaleway, region: str, client_name: str) -> int:
    """The index of the node of ``region`` a client (by its connection name) is connected to,
    from each node's ``CONNZ`` (asked as the system account over NATS)."""
    serving = []
    for node in env.servers[region].running_nodes():
        connz = node.monitor("CONNZ", limit=10000)
        assert connz is not None, f"{node.name} did not answer CONNZ"
        if any(c.get("name") == client_name for c in connz.get("connections") or []):
            serving.append(node.index)
    assert len(serving) == 1, f"{client_name} is connected to nodes {serving} of {region}"
    return serving[0]
