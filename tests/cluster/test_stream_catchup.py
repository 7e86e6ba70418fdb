"""An R3 stream stays readable while 2 of its 3 nodes are up, through a kill/start sequence
that leaves, at the end, a restarted node and one that never went down (issue 18, the chaos
suite's violation D: seed 302, faults off)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.support.cluster import REGION
from tests.support.reliability import figures

STREAM = "CATCHUP"
SUBJECT = "catchup.events"
PER_STEP = 5
CYCLES = 3  # kill/start cycles of node 0 in the start_node test
JS_TIMEOUT = 10.0  # as the chaos suite: a dead node's streams elect in 4-9 s
READ_BACK_WITHIN = 30.0  # the chaos suite's bound: unreadable that long is a violation


async def publish(account: object, creds: object, env: LocalScaleway) -> dict[int, bytes]:
    """Publish PER_STEP messages with acks on a fresh connection, as the chaos step does."""
    nc: Client = await connect(account, creds, env.ca_file)  # type: ignore[arg-type]
    acked: dict[int, bytes] = {}
    try:
        js = nc.jetstream(timeout=JS_TIMEOUT)
        await js.add_stream(name=STREAM, subjects=[SUBJECT], num_replicas=3)
        for _ in range(PER_STEP):
            payload = uuid.uuid4().hex.encode()
            try:
                ack = await js.publish(SUBJECT, payload, headers={"Nats-Msg-Id": payload.decode()})
            except (nats.errors.TimeoutError, nats.js.errors.Error):  # 503, no responders
                continue
            acked[ack.seq] = payload
    finally:
        await nc.close()
    return acked


async def read_back(
    account: object, creds: object, env: LocalScaleway, acked: dict[int, bytes]
) -> float:
    """Seconds until every acknowledged message was read back (AssertionError past the bound)."""
    nc: Client = await connect(account, creds, env.ca_file)  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        js = nc.jetstream(timeout=JS_TIMEOUT)
        for seq, payload in sorted(acked.items()):
            while True:
                try:
                    message = await js.get_msg(STREAM, seq)
                except (
                    nats.errors.TimeoutError,
                    nats.js.errors.ServiceUnavailableError,
                    nats.js.errors.NoStreamResponseError,  # no leader: nobody listens
                ):
                    waited = time.monotonic() - started
                    assert waited < READ_BACK_WITHIN, (
                        f"{STREAM} unreadable for {waited:.0f} s with 2 of 3 nodes up: "
                        f"{stream_state(env)}"
                    )
                    await asyncio.sleep(0.5)
                    continue
                assert message.data == payload, f"message {seq} is not what was acknowledged"
                break
    finally:
        await nc.close()
    return time.monotonic() - started


async def lead_from(account: object, creds: object, env: LocalScaleway, name: str) -> None:
    """Move the stream's leadership to the node ``name`` (a stepdown with a preferred peer)."""
    leaders = [n for n, view in stream_views(env).items() if view["cluster"].get("leader") == n]
    if leaders == [name]:
        return
    nc: Client = await connect(account, creds, env.ca_file)  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        body = json.dumps({"placement": {"preferred": name}}).encode()
        while True:
            try:
                reply = await nc.request(
                    f"$JS.API.STREAM.LEADER.STEPDOWN.{STREAM}", body, timeout=JS_TIMEOUT
                )
            except (nats.errors.TimeoutError, nats.errors.NoRespondersError):
                waited = time.monotonic() - started
                assert waited < READ_BACK_WITHIN, (
                    f"{STREAM} did not answer for {waited:.0f} s with 3 of 3 nodes up: "
                    f"{stream_state(env)}"
                )
                continue
            break
        assert json.loads(reply.data).get("success"), reply.data
    finally:
        await nc.close()


def stream_views(env: LocalScaleway, stream: str = STREAM) -> dict[str, dict[str, Any]]:
    """Each running node's view of the stream (JSZ: its raft group and state), by node name."""
    views = {}
    for node in env.servers[REGION].running_nodes():
        report = node.monitor("JSZ", accounts=True, streams=True, limit=10000) or {}
        for account in report.get("account_details") or []:
            for detail in account.get("stream_detail") or []:
                if detail.get("name") == stream:
                    views[node.name] = detail
    return views


def stream_state(env: LocalScaleway) -> str:
    """Each running node's view of the stream's raft group (JSZ), for failure messages."""
    parts = []
    for node in env.servers[REGION].running_nodes():
        report = node.monitor("JSZ", accounts=True, streams=True) or {}
        for account in report.get("account_details") or []:
            for stream in account.get("stream_detail") or []:
                if stream.get("name") == STREAM:
                    parts.append(
                        f"{node.name}: {stream.get('cluster')} state {stream.get('state')}"
                    )
    return "; ".join(parts) or "no node reports the stream"


async def test_start_node_returns_once_the_nodes_stream_replicas_are_current(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    """The docs promise that start_node returns with "current JetStream": that includes the
    streams the node holds a replica of, not only the meta layer. A stream written while the
    node was down must be caught up on it, as its leader reports, when start_node returns.
    (The leader finds the gap at its next append or heartbeat, ~1 s: a race, so CYCLES.)"""
    env = all_nodes_up
    account = await cluster_api.create_account(region=REGION, name="catchup-start")
    creds = await cluster_api.create_credentials(account)
    restarted = env.servers[REGION].node(0).name
    took = []
    try:
        acked = await publish(account, creds, env)  # R3 on all three nodes
        for _ in range(CYCLES):
            await asyncio.to_thread(env.kill_node, REGION, 0)
            acked.update(await publish(account, creds, env))  # node 0 misses these
            took.append(await asyncio.to_thread(env.start_node, REGION, 0))
            views = stream_views(env)
            leaders = [n for n, view in views.items() if view["cluster"].get("leader") == n]
            assert leaders, f"no live leader for {STREAM}: {views}"
            if leaders[0] != restarted:
                replicas = views[leaders[0]]["cluster"]["replicas"]
                entry = next(r for r in replicas if r["name"] == restarted)
                assert entry.get("current") and not entry.get("lag"), (
                    f"start_node returned with node 0 behind on {STREAM}: its leader says {entry}"
                )
            assert views[restarted]["state"]["last_seq"] == max(acked), (
                f"node 0 holds up to {views[restarted]['state']['last_seq']}, acked {max(acked)}"
            )
        figures("start_node with a stream to catch up", seconds=[round(t, 2) for t in took])
    finally:
        await asyncio.to_thread(env.start_node, REGION, 0)
        await cluster_api.delete_account(account)


@pytest.mark.parametrize("made", ["before the faults", "while node 0 is down"])
async def test_r3_stream_readable_after_kill_start_kill_start_kill(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI, made: str
) -> None:
    env = all_nodes_up
    account = await cluster_api.create_account(region=REGION, name="catchup")
    creds = await cluster_api.create_credentials(account)
    acked: dict[int, bytes] = {}
    try:
        if made == "before the faults":
            acked.update(await publish(account, creds, env))
        await asyncio.to_thread(env.kill_node, REGION, 0)
        acked.update(await publish(account, creds, env))
        await asyncio.to_thread(env.start_node, REGION, 0)
        print("after start 0:", stream_state(env))
        await asyncio.to_thread(env.kill_node, REGION, 2)
        acked.update(await publish(account, creds, env))
        await asyncio.to_thread(env.start_node, REGION, 2)
        # The hard case: the node killed next leads the stream, so the other two elect.
        await lead_from(account, creds, env, env.servers[REGION].node(0).name)
        await asyncio.to_thread(env.kill_node, REGION, 0)
        state = stream_state(env)
        waited = await read_back(account, creds, env, acked)
        figures("r3 read back after kill/start x2, kill", seconds=round(waited, 1), at_kill=state)
    finally:
        await asyncio.to_thread(env.start_node, REGION, 0)
        await cluster_api.delete_account(account)
