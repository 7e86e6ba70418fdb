"""State survives restarts; a crashed nats-server is restarted by the supervisor."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import time
from pathlib import Path

import pytest
from nats.errors import Error as NatsError

from scaleway_nats.local import ApiPortTaken, LocalScaleway
from tests.support.http_api import as_read, connect, raw_api_on


async def test_restart_keeps_everything(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state) as first:
        secret, endpoint = first.secret_key, first.regions["fr-par"]
        for api in raw_api_on(first, first.organization):
            account = api.create_account(name="kept")
            kept = api.create_credentials(account)
            revoked = api.create_credentials(account)
            api.client.delete(api.url("fr-par", "nats-credentials", revoked["id"]))
            async with connect(first, account["endpoint"], kept) as nc:
                js = nc.jetstream()
                await js.add_stream(name="durable", subjects=["durable.>"])
                await js.publish("durable.1", b"survives")

    with LocalScaleway(state_dir=state) as second:
        assert second.secret_key == secret
        assert second.regions["fr-par"] == endpoint  # same port when it is still free
        for api in raw_api_on(second, second.organization):
            got = api.client.get(api.url("fr-par", "nats-accounts", account["id"])).json()
            # updated_at was moved by the credentials delete, as on Scaleway
            assert got == {**as_read(account), "updated_at": got["updated_at"]}
            assert got["updated_at"] > got["created_at"]
            listed = api.client.get(api.url("fr-par", "nats-credentials")).json()
            assert [c["id"] for c in listed["nats_credentials"]] == [kept["id"]]
        async with connect(second, account["endpoint"], kept) as nc:
            msg = await nc.jetstream().get_msg("durable", 1)
            assert msg.data == b"survives"
        with pytest.raises(NatsError, match="Authorization Violation"):
            async with connect(second, account["endpoint"], revoked):
                pass


def test_key_material_is_private(tmp_path: Path) -> None:
    with LocalScaleway(state_dir=tmp_path) as env:
        private = [
            tmp_path / "keys" / "operator.nk",
            tmp_path / "keys" / "system-account.nk",
            tmp_path / "tls" / "ca-key.pem",
            tmp_path / "tls" / "server-key.pem",
            tmp_path / "emulator.sqlite3",
        ]
        for path in private:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert env.secret_key not in repr(env)
        assert env.secret_key not in repr(env.organization)
        log = (tmp_path / "nats" / "fr-par" / "nats-server.log").read_text()
        seed = (tmp_path / "keys" / "operator.nk").read_text().strip()
        assert seed not in log


def test_temporary_state_dir_is_removed() -> None:
    env = LocalScaleway().start()
    state = env.state_dir
    assert state.exists()
    env.stop()
    assert not state.exists()
    env.stop()  # idempotent


def test_start_is_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    with LocalScaleway(state_dir=tmp_path):
        elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed


async def test_crashed_nats_server_is_restarted(tmp_path: Path) -> None:
    with LocalScaleway(state_dir=tmp_path) as env:
        for api in raw_api_on(env, env.organization):
            account = api.create_account()
            creds = api.create_credentials(account)
        server = env.servers["fr-par"].nodes[0]
        old_pid, url = server.pid, env.regions["fr-par"]
        assert old_pid is not None
        server.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if server.pid != old_pid:
                try:
                    async with connect(env, account["endpoint"], creds) as nc:
                        assert nc.is_connected
                        break
                except (NatsError, OSError):
                    continue
        else:
            pytest.fail("nats-server was not restarted")
        assert env.regions["fr-par"] == url  # same port
        assert server.restarts == 1
        pid = server.pid
        assert pid is not None
    with pytest.raises(ProcessLookupError):  # stop() left no orphan behind
        os.kill(pid, 0)


def test_a_kept_state_dir_keeps_its_api_port(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with LocalScaleway(state_dir=state) as first:
        url = first.api_url
    with LocalScaleway(state_dir=state) as second:
        assert second.api_url == url
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen(1)
        with pytest.raises(ApiPortTaken) as taken:
            LocalScaleway(state_dir=state).start()
        assert str(port) in str(taken.value) and "\n" not in str(taken.value)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        with LocalScaleway(state_dir=state, api_port=free) as elsewhere:  # explicit: wins
            assert elsewhere.api_url.endswith(f":{free}")
