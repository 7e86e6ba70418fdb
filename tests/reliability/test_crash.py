"""Issue 2: SIGKILL of the emulator mid-stream loses no acknowledged write and orphans nothing.

A writer thread streams creates (accounts, credentials) and deletes (credentials) at a
`python -m scaleway_nats.local` process, recording what was acknowledged; the process is killed
with SIGKILL mid-stream, then a new process is started on the same state dir.
"""

from __future__ import annotations

import signal
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import RawCredentials
from nats.errors import Error as NatsError

from scaleway_nats.local.nats_server import SINGLE_ATTEMPT
from tests.support import serve
from tests.support.processes import nats_server_pids, wait_dead
from tests.support.reliability import figures
from tests.support.serve import SERVE_MODULE

MAX_OPS = 400  # the writer never sends more than this
KILL_AFTER_ACKS = 40  # SIGKILL once this many writes were acknowledged
WAIT = 60.0  # bound on every wait of this test


def start(state_dir: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    started = serve.start([*SERVE_MODULE, "--state-dir", str(state_dir), "--max-accounts", "1000"])
    return started.proc, started.info


class Writer(threading.Thread):
    """Creates accounts and credentials and deletes credentials until the first failure."""

    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.base = f"{info['api_url']}/mnq/v1beta1/regions/fr-par"
        self.headers = {"X-Auth-Token": info["secret_key"]}
        self.accounts: list[dict[str, Any]] = []
        self.live: dict[str, dict[str, Any]] = {}  # acknowledged creates of credentials
        self.revoked: dict[str, dict[str, Any]] = {}  # acknowledged deletes
        self.acks = 0
        self.sent = 0
        self.in_flight: str | None = None  # the write the kill interrupted
        self.error: BaseException | None = None

    def run(self) -> None:
        with httpx.Client(headers=self.headers, timeout=10) as client:
            for op in range(MAX_OPS):
                try:
                    self.step(client, op)
                except (httpx.TransportError, AssertionError) as error:
                    self.error = error
                    return

    def step(self, client: httpx.Client, op: int) -> None:
        self.sent += 1
        if op % 5 == 0:
            self.in_flight = "create account"
            response = client.post(f"{self.base}/nats-accounts", json={"name": f"a{op}"})
            assert response.status_code == 200, response.text
            self.accounts.append(response.json())
        elif op % 5 == 3 and self.live:
            victim = next(iter(self.live))
            self.in_flight = f"delete credentials {victim}"
            response = client.delete(f"{self.base}/nats-credentials/{victim}")
            assert response.status_code == 204, response.text
            self.revoked[victim] = self.live.pop(victim)
        else:
            self.in_flight = "create credentials"
            body = {"nats_account_id": self.accounts[-1]["id"], "name": f"c{op}"}
            response = client.post(f"{self.base}/nats-credentials", json=body)
            assert response.status_code == 200, response.text
            creds = response.json()
            self.live[creds["id"]] = creds
        self.in_flight = None
        self.acks += 1


async def connect(url: str, ca_file: str, creds: dict[str, Any]) -> nats.NATS:
    return await nats.connect(
        url,
        user_credentials=RawCredentials(creds["credentials"]["content"]),
        tls=ssl.create_default_context(cafile=ca_file),
        connect_timeout=3,
        **SINGLE_ATTEMPT,
    )


async def test_sigkill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first, info = start(state)
    try:
        servers = nats_server_pids(first.pid)
        assert len(servers) == 2
        writer = Writer(info)
        writer.start()
        deadline = time.monotonic() + WAIT
        while writer.acks < KILL_AFTER_ACKS and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.001)
        assert writer.acks >= KILL_AFTER_ACKS, writer.error
        first.send_signal(signal.SIGKILL)  # mid-stream: the writer is sending right now
        first.wait(10)
        writer.join(WAIT)
        assert not writer.is_alive()
        assert isinstance(writer.error, httpx.TransportError), writer.error
        orphans = wait_dead(servers)
        assert orphans == [], f"nats-server orphaned after SIGKILL: {orphans}"
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)

    second, again = start(state)
    try:
        assert again["secret_key"] == info["secret_key"]
        base = f"{again['api_url']}/mnq/v1beta1/regions/fr-par"
        with httpx.Client(headers={"X-Auth-Token": again["secret_key"]}, timeout=10) as client:
            for account in writer.accounts:
                got = client.get(f"{base}/nats-accounts/{account['id']}")
                assert got.status_code == 200, account
                assert got.json()["name"] == account["name"]
            for creds_id in writer.live:
                assert client.get(f"{base}/nats-credentials/{creds_id}").status_code == 200
            for creds_id in writer.revoked:
                assert client.get(f"{base}/nats-credentials/{creds_id}").status_code == 404
        url, ca_file = again["regions"]["fr-par"], again["ca_file"]
        for creds in writer.live.values():  # issued before the crash: they still connect
            nc = await connect(url, ca_file, creds)
            try:
                sub = await nc.subscribe("after.crash")
                await nc.publish("after.crash", creds["id"].encode())
                assert (await sub.next_msg(timeout=5)).data == creds["id"].encode()
            finally:
                await nc.close()
        for creds in writer.revoked.values():  # revoked before the crash: still refused
            with pytest.raises(NatsError, match="Authorization Violation"):
                await connect(url, ca_file, creds)
        servers_again = nats_server_pids(second.pid)
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0
        assert wait_dead(servers_again) == []
    finally:
        if second.poll() is None:
            second.kill()
            second.wait(10)
    figures(
        "crash",
        writes_sent=writer.sent,
        writes_acknowledged=writer.acks,
        accounts_acknowledged=len(writer.accounts),
        credentials_live=len(writer.live),
        credentials_revoked=len(writer.revoked),
        interrupted_write=writer.in_flight,
        nats_servers_checked=len(servers) + len(servers_again),
    )
