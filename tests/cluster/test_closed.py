"""The cluster is closed to other local processes (issue 18, item 4).

A nats-server that knows the cluster's name used to join a node's route port, receive another
organization's messages and deliver forged ones; the unauthenticated HTTP monitoring port told
it the name and listed every account's connections, subscriptions and streams. Routes now
authenticate with a secret of the state dir, and no node listens on anything but its client
port (TLS, JWT users) and its route port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.nats_server import NatsServer, find_binary
from scaleway_nats.nats import connect
from tests.support.cluster import REGION

ROGUE_WAIT = 10.0  # seconds the rogue gets to join (it tries its route at once, then every 1 s)
MESSAGES = 5


def listening_ports(pid: int) -> set[int]:
    """The TCP ports a process listens on (Linux: its socket inodes in /proc/net/tcp*)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    inodes = set()
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = fd.readlink().name if hasattr(fd, "readlink") else ""
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_a_node_listens_on_its_client_and_route_ports_only(cluster: LocalScaleway) -> None:
    """No HTTP monitoring port: it answered anyone with every organization's data."""
    for node in cluster.servers[REGION].nodes:
        assert node.pid is not None and node.routes is not None
        assert listening_ports(node.pid) == {node.port, node.routes.port}, node.name
        assert node.healthy()  # what the emulator needs, it asks over NATS instead


def test_the_route_secret_is_private(cluster: LocalScaleway) -> None:
    secret = cluster.state_dir / "keys" / "route.secret"
    config = cluster.servers[REGION].nodes[0].directory / "nats-server.conf"
    for path in (secret, config):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@contextlib.contextmanager
def rogue_server(tmp_path: Path, victim: str, cluster_name: str, route_port: int) -> Iterator[str]:
    """A nats-server with its own plain user in the victim's account, routed to a node as a
    member of its cluster (the name is all it knows); yields its monitoring URL."""
    ports_dir = tmp_path / "ports"
    ports_dir.mkdir()
    config = tmp_path / "rogue.conf"
    config.write_text(f"""
server_name: rogue
host: 127.0.0.1
port: -1
http: "127.0.0.1:-1"
ports_file_dir: {json.dumps(str(ports_dir))}
accounts {{ {victim}: {{ users: [{{user: rogue, password: rogue}}] }} }}
cluster {{
  name: "{cluster_name}"
  listen: "127.0.0.1:-1"
  routes: ["nats-route://127.0.0.1:{route_port}"]
}}
""")
    with (tmp_path / "rogue.log").open("ab") as log:
        proc = subprocess.Popen([find_binary(), "-c", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 10
        while not list(ports_dir.glob("*.ports")):
            assert proc.poll() is None and time.monotonic() < deadline, "rogue did not start"
            time.sleep(0.02)
        ports = json.loads(next(ports_dir.glob("*.ports")).read_text())
        yield ports["nats"][0], ports["monitoring"][0]
    finally:
        proc.terminate()
        proc.wait(10)


async def test_a_rogue_route_never_joins(
    cluster: LocalScaleway, cluster_api: AsyncNatsAPI, tmp_path: Path
) -> None:
    account = await cluster_api.create_account(region=REGION, name="victim")
    creds = await cluster_api.create_credentials(account, name="victim")
    node: NatsServer = cluster.servers[REGION].nodes[0]
    assert node.routes is not None
    victim = await connect(account, creds, cluster.ca_file)
    forged = await victim.subscribe("payments.>")  # what the rogue forges
    with rogue_server(tmp_path, account.id, node.routes.name, node.routes.port) as (url, http):
        rogue = await nats.connect(url, user="rogue", password="rogue", allow_reconnect=False)
        try:
            stolen = await rogue.subscribe("orders.>")
            await rogue.flush()
            deadline = time.monotonic() + ROGUE_WAIT
            routes: list[object] = []
            while time.monotonic() < deadline and not routes:  # bounded: it must never join
                async with httpx.AsyncClient() as client:
                    routes = (await client.get(f"{http}/routez")).json().get("routes") or []
                await asyncio.sleep(0.2)
            for n in range(MESSAGES):
                await victim.publish(f"orders.{n}", b"another organization's order")
            await victim.flush()
            await rogue.publish("payments.forged", b"forged")
            await rogue.flush()
            received = []
            with contextlib.suppress(nats.errors.TimeoutError):
                while len(received) < MESSAGES:
                    received.append(await stolen.next_msg(timeout=1))
            with pytest.raises(nats.errors.TimeoutError):
                await forged.next_msg(timeout=1)
        finally:
            await rogue.close()
            await victim.close()
    assert routes == []  # never joined
    assert received == []  # and got none of the victim's messages
    log = (tmp_path / "rogue.log").read_text()
    assert "Authorization Violation" in log or "authorization" in log.lower(), log[-2000:]
