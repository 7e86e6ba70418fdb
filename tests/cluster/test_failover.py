"""An app keeps working while the nodes of a 3-node region fail one at a time (issue 14).

The app is plain nats-py through the wrapper's ``connect``: it knows the account's one endpoint
and learns the nodes from the cluster (``connect_urls``), as against Scaleway. Nodes are killed
(SIGKILL) and started again with the emulator's fault controls, one after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import StreamConfig, StreamInfo

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.support.cluster import REGION, SIZE, serving_node
from tests.support.reliability import figures

MAX_MESSAGES = 20_000  # the publisher stops here at the latest
MAX_SECONDS = 120.0  # ... or after this long (every loop of this module is bounded)
PACE = 0.005  # seconds between two messages: an app's steady flow, not a flood
PER_PHASE = 40  # messages acknowledged while a node is down, and again once it is back
PHASE_TIMEOUT = 30.0  # seconds for PER_PHASE acknowledgements: failing that fails the test
ACK_TIMEOUT = 1.0  # seconds a publish waits for its ack before it is sent again
FAILOVER_TIMEOUT = 15.0  # seconds a subscriber may take to receive again after its node died


@dataclass
class Publisher:
    """An app-style publisher: each message has an id; on a timeout (or no responders while
    the stream has no leader) the SAME message, same id, is sent again, so a publish whose ack
    was lost is not stored twice (JetStream drops it as a duplicate of that id)."""

    js: nats.js.JetStreamContext
    subject: str
    acked: list[tuple[str, int]] = field(default_factory=list)  # (msg id, stream sequence)
    acked_at: list[float] = field(default_factory=list)  # when each ack came
    retries: int = 0
    duplicates: int = 0  # retries JetStream recognised as already stored
    errors: dict[str, int] = field(default_factory=dict)
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def publish(self, number: int, deadline: float) -> None:
        msg_id = f"m-{number:05d}"
        while time.monotonic() < deadline:
            try:
                ack = await self.js.publish(
                    self.subject,
                    msg_id.encode(),
                    timeout=ACK_TIMEOUT,
                    headers={"Nats-Msg-Id": msg_id},
                )
            except (nats.errors.TimeoutError, nats.errors.NoRespondersError) as error:
                self.count(error)
            except nats.js.errors.APIError as error:  # e.g. 503: the stream is electing
                self.count(error)
            except nats.errors.ConnectionClosedError:
                raise
            except (nats.errors.Error, OSError) as error:  # e.g. disconnected mid-request
                self.count(error)
            else:
                self.duplicates += bool(ack.duplicate)
                self.acked.append((msg_id, ack.seq))
                self.acked_at.append(time.monotonic())
                self.progress.set()
                return
            self.retries += 1
            await asyncio.sleep(0.05)
        raise AssertionError(f"{msg_id} not acknowledged before the test's deadline")

    def count(self, error: Exception) -> None:
        name = type(error).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    async def acked_more(self, count: int) -> None:
        """Wait (bounded) until ``count`` more messages are acknowledged."""
        target = len(self.acked) + count
        deadline = time.monotonic() + PHASE_TIMEOUT
        while len(self.acked) < target:
            self.progress.clear()
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{count} acks not reached within {PHASE_TIMEOUT}s"
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.progress.wait(), remaining)


async def replicas_current(js: nats.js.JetStreamContext, stream: str) -> StreamInfo:
    """The stream's info once its leader reports every other replica current (bounded wait):
    the restarted nodes hold the stream again, not just the two that stayed up."""
    deadline = time.monotonic() + PHASE_TIMEOUT
    while True:
        info = await js.stream_info(stream)
        replicas = info.cluster.replicas if info.cluster else None
        if replicas and len(replicas) == SIZE - 1 and all(p.current for p in replicas):
            return info
        assert time.monotonic() < deadline, f"replicas not current in {PHASE_TIMEOUT}s: {replicas}"
        await asyncio.sleep(0.1)


async def stream_ids(js: nats.js.JetStreamContext, stream: str, last: int) -> list[str]:
    """The message ids of a stream, in sequence order (every sequence 1..last read back)."""
    ids = []
    for seq in range(1, last + 1):
        msg = await js.get_msg(stream, seq)
        ids.append((msg.headers or {}).get("Nats-Msg-Id", ""))
    return ids


async def test_r3_publisher_keeps_every_acked_message_through_three_node_failures(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    env = all_nodes_up
    account = await cluster_api.create_account(region=REGION, name="failover-publisher")
    creds = await cluster_api.create_credentials(account)
    events: list[str] = []
    reconnects = 0

    async def reconnected() -> None:
        nonlocal reconnects
        reconnects += 1

    async def disconnected() -> None:
        events.append("disconnected")

    nc = await connect(
        account,
        creds,
        env.ca_file,
        max_reconnect_attempts=-1,  # an app that must survive failovers does not give up
        reconnect_time_wait=0.1,
        reconnected_cb=reconnected,
        disconnected_cb=disconnected,
    )
    client_object = id(nc)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="ORDERS", subjects=["orders.>"], num_replicas=SIZE))
        publisher = Publisher(js, "orders.new")
        deadline = time.monotonic() + MAX_SECONDS
        seconds: dict[str, float] = {}

        async def publish_all() -> None:
            for number in range(MAX_MESSAGES):
                if stop.is_set():
                    return
                await publisher.publish(number, deadline)
                await asyncio.sleep(PACE)

        async def break_nodes() -> None:
            await publisher.acked_more(PER_PHASE)
            for index in range(SIZE):
                seconds[f"kill-{index}"] = await asyncio.to_thread(env.kill_node, REGION, index)
                await publisher.acked_more(PER_PHASE)
                seconds[f"start-{index}"] = await asyncio.to_thread(env.start_node, REGION, index)
                await publisher.acked_more(PER_PHASE)

        stop = asyncio.Event()
        publishing = asyncio.create_task(publish_all())
        try:
            await break_nodes()
        finally:
            stop.set()
            await asyncio.wait_for(publishing, MAX_SECONDS)

        info = await replicas_current(js, "ORDERS")
        stored = await stream_ids(js, "ORDERS", info.state.last_seq)
        acked_ids = [msg_id for msg_id, _ in publisher.acked]
        figures(
            "r3_publisher_through_node_kills",
            acked=len(acked_ids),
            stored=len(stored),
            retries=publisher.retries,
            duplicates_dropped_by_msg_id=publisher.duplicates,
            errors=publisher.errors,
            reconnects=reconnects,
            longest_stall_s=round(max(b - a for a, b in itertools.pairwise(publisher.acked_at)), 2),
            seconds_until_noticed={k: round(v, 2) for k, v in seconds.items()},
        )
        assert id(nc) == client_object and nc.is_connected  # never replaced, still connected
        assert reconnects >= 1  # its node was among those killed: it did fail over
        assert len(stored) == len(set(stored)), "a message id is stored twice"
        assert stored == acked_ids  # every acked message, in publish order, nothing else
        assert [seq for _, seq in publisher.acked] == list(range(1, len(stored) + 1))
        assert info.state.messages == len(stored)
    finally:
        await nc.close()
        await cluster_api.delete_account(account)


@pytest.mark.parametrize("via", ["endpoint", "node"])
async def test_subscriber_on_a_killed_node_receives_again_after_failover(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI, via: str
) -> None:
    """Connected through the account's endpoint (as an app is), or straight to a node's URL;
    either way it learns the other nodes from the cluster (connect_urls) and fails over."""
    env = all_nodes_up
    account = await cluster_api.create_account(region=REGION, name=f"failover-subscriber-{via}")
    creds = await cluster_api.create_credentials(account)
    received: list[float] = []  # when each message arrived
    links: dict[str, float] = {}  # when the subscriber lost its node, and when it was back
    got_one = asyncio.Event()

    async def on_message(msg: Msg) -> None:
        received.append(time.monotonic())
        got_one.set()

    async def disconnected() -> None:
        links.setdefault("lost", time.monotonic())

    async def reconnected() -> None:
        links.setdefault("back", time.monotonic())

    nodes = env.servers[REGION].nodes
    name = f"subscriber-{uuid.uuid4()}"  # finds its node in the nodes' CONNZ
    options: dict[str, Any] = {"max_reconnect_attempts": -1, "reconnect_time_wait": 0.1}
    subscriber: Client = await connect(
        account if via == "endpoint" else nodes[1].url,
        creds,
        env.ca_file,
        name=name,
        disconnected_cb=disconnected,
        reconnected_cb=reconnected,
        **options,
    )
    publisher: Client | None = None
    try:
        await subscriber.subscribe("ticks", cb=on_message)
        await subscriber.flush()
        victim = serving_node(env, REGION, name)  # the node the subscriber is connected to
        # The publisher's node lives on.
        publisher = await connect(nodes[(victim + 1) % SIZE].url, creds, env.ca_file, **options)
        stop = asyncio.Event()

        async def tick() -> None:
            assert publisher is not None
            for number in range(int(MAX_SECONDS / 0.01)):  # one message every 10 ms, bounded
                if stop.is_set():
                    return
                await publisher.publish("ticks", str(number).encode())
                await asyncio.sleep(0.01)

        def receiving_again() -> bool:
            return "back" in links and bool(received) and received[-1] > links["back"]

        ticking = asyncio.create_task(tick())
        try:
            await asyncio.wait_for(got_one.wait(), FAILOVER_TIMEOUT)  # flowing before the kill
            killed_at = time.monotonic()
            await asyncio.to_thread(env.kill_node, REGION, victim)
            # Bounded: receiving again within FAILOVER_TIMEOUT, or the test fails here.
            deadline = killed_at + FAILOVER_TIMEOUT
            while not receiving_again():
                got_one.clear()
                await asyncio.wait_for(got_one.wait(), max(0.0, deadline - time.monotonic()))
        finally:
            stop.set()
            await asyncio.wait_for(ticking, 5)
        last_before = max(t for t in received if t <= links["lost"])
        first_after = min(t for t in received if t > links["back"])
        now_on = serving_node(env, REGION, name)
        figures(
            f"subscriber_failover_via_{via}",
            killed_node=victim,
            now_on_node=now_on,
            gap_ms=round((first_after - last_before) * 1000, 1),
            kill_to_disconnect_ms=round((links["lost"] - killed_at) * 1000, 1),
            disconnect_to_reconnect_ms=round((links["back"] - links["lost"]) * 1000, 1),
            reconnects=subscriber.stats["reconnects"],
        )
        assert now_on != victim and subscriber.is_connected
    finally:
        await subscriber.close()
        if publisher is not None:
            await publisher.close()
        await cluster_api.delete_account(account)


async def test_existing_accounts_can_create_streams_right_after_a_node_restart(
    all_nodes_up: LocalScaleway, cluster_api: AsyncNatsAPI
) -> None:
    """A restarted node has loaded no account yet; a JetStream request reaching it for an
    account it holds must not fail "JetStream not enabled for account" (it did for about 1
    account in 6: the emulator now has a (re)started node load its accounts before
    ``start_node`` returns)."""
    env = all_nodes_up
    per_node = 4
    made = []
    for number in range(SIZE * per_node):
        account = await cluster_api.create_account(region=REGION, name=f"restart-{number}")
        made.append((account, await cluster_api.create_credentials(account)))
    failures: list[str] = []
    try:
        for index in range(SIZE):
            await asyncio.to_thread(env.kill_node, REGION, index)
            await asyncio.to_thread(env.start_node, REGION, index)
            for account, creds in made[index * per_node : (index + 1) * per_node]:
                nc = await connect(account, creds, env.ca_file)
                try:
                    config = StreamConfig(name="AFTER", subjects=["after.>"], num_replicas=SIZE)
                    await nc.jetstream().add_stream(config)
                except nats.js.errors.APIError as error:
                    failures.append(f"node {index} restarted, {account.name}: {error}")
                finally:
                    await nc.close()
    finally:
        for account, _ in made:
            await cluster_api.delete_account(account)
    assert failures == []
