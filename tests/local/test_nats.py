"""Real NATS behind the API: TLS, isolation, JetStream limits, revocation, account deletion."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError
from nats.errors import MaxPayloadError
from nats.js.errors import APIError

from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.nats_server import SINGLE_ATTEMPT
from tests.support.http_api import REGIONS, RawApi, connect, raw_api_on, write_creds

WAIT = 5.0  # seconds allowed for the server to act on a pushed account JWT


async def expect_message(sub: nats.aio.subscription.Subscription, data: bytes) -> None:
    msg = await sub.next_msg(timeout=WAIT)
    assert msg.data == data


def test_endpoint_requires_tls(emulator: LocalScaleway) -> None:
    """The server's INFO line (sent before anything else) says TLS is required."""
    host, port = emulator.regions["fr-par"].removeprefix("nats://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
        info = sock.recv(4096).decode()
    assert info.startswith("INFO ")
    assert '"tls_required":true' in info
    assert '"max_payload":524288' in info


@pytest.mark.parametrize("region", REGIONS)
async def test_pub_sub_with_a_creds_file(
    emulator: LocalScaleway, raw_api: RawApi, region: str, tmp_path: Path
) -> None:
    account = raw_api.create_account(region)
    creds = raw_api.create_credentials(account)
    # Exactly the documented user flow: a .creds file on disk and the account's endpoint.
    nc = await nats.connect(
        account["endpoint"],
        user_credentials=str(write_creds(tmp_path, creds)),
        tls=ssl.create_default_context(cafile=emulator.ca_file),
        allow_reconnect=False,
    )
    try:
        sub = await nc.subscribe("greetings")
        await nc.publish("greetings", b"Hi there!")
        await expect_message(sub, b"Hi there!")
    finally:
        await nc.close()


async def test_plain_tcp_clients_are_refused(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    creds = raw_api.create_credentials(account)
    with pytest.raises((NatsError, OSError)):
        await nats.connect(
            account["endpoint"],
            user_credentials=nats.aio.client.RawCredentials(creds["credentials"]["content"]),
            **SINGLE_ATTEMPT,
            connect_timeout=2,
        )


async def test_accounts_are_isolated(emulator: LocalScaleway, raw_api: RawApi) -> None:
    a, b = raw_api.create_account(name="a"), raw_api.create_account(name="b")
    creds_a, creds_b = raw_api.create_credentials(a), raw_api.create_credentials(b)
    async with (
        connect(emulator, a["endpoint"], creds_a) as nc_a,
        connect(emulator, b["endpoint"], creds_b) as nc_b,
    ):
        sub_a = await nc_a.subscribe("shared.subject")
        sub_b = await nc_b.subscribe("shared.subject")
        await nc_b.flush()
        await nc_a.publish("shared.subject", b"for A only")
        await expect_message(sub_a, b"for A only")
        with pytest.raises(nats.errors.TimeoutError):
            await sub_b.next_msg(timeout=0.5)


async def test_jetstream_store_and_limits(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    creds = raw_api.create_credentials(account)
    async with connect(emulator, account["endpoint"], creds) as nc:
        js = nc.jetstream()
        await js.add_stream(name="orders", subjects=["orders.>"])
        ack = await js.publish("orders.new", b"order-1")
        assert (ack.stream, ack.seq) == ("orders", 1)
        msg = await js.get_msg("orders", 1)
        assert msg.data == b"order-1"

        info = await nc.jsm().account_info()
        # Scaleway's documented quotas (see jwt.Limits for the source)
        assert info.limits.max_streams == 50
        assert info.limits.max_consumers == 50
        assert info.limits.max_storage == 300 * 1024 * 1024
        assert info.limits.max_memory == 0

        with pytest.raises(MaxPayloadError):
            await nc.publish("orders.big", b"x" * (512 * 1024 + 1))
        await nc.publish("orders.ok", b"x" * (512 * 1024 - 1024))  # just under the limit
        await nc.flush()


async def test_jetstream_limits_are_settings() -> None:
    with LocalScaleway(max_streams=2, max_consumers=1, max_payload=1024) as small:
        org = small.organization
        for api in raw_api_on(small, org):
            account = api.create_account()
            creds = api.create_credentials(account)
            async with connect(small, account["endpoint"], creds) as nc:
                js = nc.jetstream()
                await js.add_stream(name="a", subjects=["a"])
                await js.add_stream(name="b", subjects=["b"])
                with pytest.raises(APIError, match="maximum number of streams"):
                    await js.add_stream(name="c", subjects=["c"])
                await js.add_consumer("a", durable_name="one")
                await js.add_consumer("b", durable_name="one")  # counted per stream
                with pytest.raises(APIError, match="maximum consumers"):
                    await js.add_consumer("a", durable_name="two")
                with pytest.raises(MaxPayloadError):
                    await nc.publish("a", b"x" * 1025)
    with pytest.raises(ValueError, match="max_streams"):
        LocalScaleway(max_streams=-1)


async def test_deleting_credentials_revokes_them(emulator: LocalScaleway, raw_api: RawApi) -> None:
    account = raw_api.create_account()
    doomed, kept = raw_api.create_credentials(account), raw_api.create_credentials(account)
    closed = asyncio.Event()

    async def on_closed() -> None:
        closed.set()

    async with (
        connect(emulator, account["endpoint"], doomed, closed_cb=on_closed) as live,
        connect(emulator, account["endpoint"], kept) as survivor,
    ):
        assert live.is_connected
        response = raw_api.client.delete(raw_api.url("fr-par", "nats-credentials", doomed["id"]))
        assert response.status_code == 204
        await asyncio.wait_for(closed.wait(), WAIT)  # the live connection is closed
        assert live.is_closed
        with pytest.raises(NatsError, match="Authorization Violation"):
            async with connect(emulator, account["endpoint"], doomed):
                pass
        # Other credentials of the same account keep working.
        sub = await survivor.subscribe("still.here")
        await survivor.publish("still.here", b"yes")
        await expect_message(sub, b"yes")
    async with connect(emulator, account["endpoint"], kept) as again:
        assert again.is_connected


async def test_deleting_an_account_removes_everything(
    emulator: LocalScaleway, raw_api: RawApi
) -> None:
    account = raw_api.create_account()
    creds = raw_api.create_credentials(account)
    closed = asyncio.Event()

    async def on_closed() -> None:
        closed.set()

    async with connect(emulator, account["endpoint"], creds, closed_cb=on_closed) as nc:
        js = nc.jetstream()
        await js.add_stream(name="events", subjects=["events.>"])
        await js.publish("events.1", b"payload")
        stream_dir = Path(emulator.state_dir, "nats", "fr-par", "jetstream", "jetstream")
        account_dir = next(p for p in stream_dir.iterdir() if (p / "streams" / "events").exists())

        response = raw_api.client.delete(raw_api.url("fr-par", "nats-accounts", account["id"]))
        assert response.status_code == 204
        await asyncio.wait_for(closed.wait(), WAIT)
    assert not (account_dir / "streams" / "events").exists()
    assert (
        raw_api.client.get(raw_api.url("fr-par", "nats-credentials", creds["id"])).status_code
        == 404
    )
    with pytest.raises(NatsError):
        async with connect(emulator, account["endpoint"], creds):
            pass
