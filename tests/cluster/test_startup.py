"""Start-up of a 3-node emulator, both regions, beside a 1-node one (issue 14).

Measured and printed (figures for the README; scripts/bench's ``startup`` scenario keeps
the target): no timed assert. What is asserted is what "started" means for a cluster: every
node of both regions running, routed to its peers, and JetStream current.
"""

from __future__ import annotations

import socket
import statistics
import time
from pathlib import Path

from scaleway_nats.local import LocalScaleway
from tests.support.cluster import SIZE
from tests.support.reliability import figures

ROUNDS = 3  # starts of each size, taking turns so a drift of the machine hits both


def started_whole(env: LocalScaleway) -> bool:
    """Every node of every region runs, has routes to each of its peers, and is healthy."""
    for cluster in env.servers.values():
        names = {node.name for node in cluster.nodes}
        for node in cluster.nodes:
            if not node.running or node.peers() != names - {node.name} or not node.healthy():
                return False
    return True


def test_a_three_node_emulator_starts_whole() -> None:
    seconds: dict[int, list[float]] = {1: [], SIZE: []}
    for _ in range(ROUNDS):
        for size in seconds:
            env = LocalScaleway(cluster_size=size)
            began = time.perf_counter()
            try:
                env.start()
                seconds[size].append(time.perf_counter() - began)
                assert len(env.servers) == 2
                assert all(len(c.nodes) == size for c in env.servers.values())
                assert started_whole(env)
            finally:
                env.stop()
    one, three = statistics.median(seconds[1]), statistics.median(seconds[SIZE])
    figures(
        "emulator_startup",
        regions=2,
        one_node_median_s=round(one, 3),
        three_nodes_median_s=round(three, 3),
        three_nodes_max_s=round(max(seconds[SIZE]), 3),
        ratio=round(three / one, 2),
        rounds=ROUNDS,
        samples_s={size: [round(s, 2) for s in values] for size, values in seconds.items()},
    )


def test_a_taken_route_port_is_replaced_by_a_free_one(tmp_path: Path) -> None:
    """Route ports are picked free, then bound by nats-server a moment later: another program
    can take one meanwhile (seen with two emulators starting at once: "Error listening on
    router port ... address already in use"), or a kept state dir's port is taken by now."""
    with LocalScaleway(state_dir=tmp_path, cluster_size=SIZE) as env:
        taken = env.servers["fr-par"].ports["route-0"]
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past its TIME_WAIT
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        began = time.perf_counter()
        with LocalScaleway(state_dir=tmp_path, cluster_size=SIZE) as env:
            restarted = time.perf_counter() - began
            assert started_whole(env)
            assert env.servers["fr-par"].ports["route-0"] != taken
    # A kept state dir's restart waits for JetStream's elections among the restored nodes.
    figures("emulator_restart_kept_state_dir_one_route_port_taken", seconds=round(restarted, 2))
