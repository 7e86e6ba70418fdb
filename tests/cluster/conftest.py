"""One 3-node emulator (both regions) shared by the cluster tests, and their helpers.

Tests that break nodes leave every node running again (the ``all_nodes_up`` fixture checks
and restores that), so the next test starts from a whole cluster.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from tests.support.cluster import SIZE


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
async def cluster_api(cluster: LocalScaleway) -> AsyncIterator[AsyncNatsAPI]:
    """Our async client on the shared cluster."""
    async with AsyncNatsAPI(
        secret_key=cluster.secret_key, project_id=cluster.project_id, api_url=cluster.api_url
    ) as client:
        yield client
