"""The cluster tests' facts (nodes per region, the region used) and which node serves a client."""

from __future__ import annotations

from scaleway_nats.local import LocalScaleway

SIZE = 3  # nats-servers per region
REGION = "fr-par"


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
