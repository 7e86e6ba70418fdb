"""A cluster's ports are picked free, then bound by nats-server: in between, another program can
take one. Start-up must then retry on fresh ports instead of failing (seen while measuring
start-up beside other tests: "Error listening on router port ... address already in use")."""

from __future__ import annotations

import socket
from pathlib import Path

from scaleway_nats.local import LocalScaleway


def test_a_kept_state_dir_whose_route_port_is_taken_still_starts(tmp_path: Path) -> None:
    with LocalScaleway(state_dir=tmp_path, cluster_size=3) as env:
        before = env.servers["fr-par"].ports
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", before["route-1"]))
        squatter.listen()
        with LocalScaleway(state_dir=tmp_path, cluster_size=3) as env:
            after = env.servers["fr-par"].ports
            assert all(node.healthy() for node in env.servers["fr-par"].nodes)
    assert after["route-1"] != before["route-1"]
    assert after["endpoint"] == before["endpoint"]  # the account endpoint URL is kept
    saved = (tmp_path / "nats" / "fr-par" / "node-1" / "nats-server.conf").read_text()
    assert f':{after["route-1"]}"' in saved
