"""The NATS side of the chaos checks: revocation on every node, JetStream publishes with acks
and reading them back. Every wait is bounded."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import nats.errors
import nats.js.errors

from scaleway_nats import NatsConnectError, NatsCredentials
from scaleway_nats.local import LocalScaleway
from scaleway_nats.nats import connect
from tests.reliability.test_revocation import accepted_by

from .model import Violation

STREAM = "CHAOS"
SUBJECT = "chaos.events"
REPLICAS = 3
JS_TIMEOUT = 10.0  # seconds a JetStream request may wait (a dead node's streams elect in 4-9 s)
READ_BACK_WITHIN = 30.0  # seconds to read a message back while its stream elects a leader


async def leaks(env: LocalScaleway, region: str, revoked: list[NatsCredentials]) -> list[str]:
    """`credentials id @ node` for each revoked credentials a running node still accepts,
    asking every node directly (the endpoint would pick one)."""
    nodes = env.servers[region].running_nodes()
    probes = [(creds, node) for creds in revoked for node in nodes]
    accepted = await asyncio.gather(*(accepted_by(n.url, env, c) for c, n in probes))
    return [f"{c.id} @ {n.name}" for (c, n), ok in zip(probes, accepted, strict=True) if ok]


async def accepted_during(
    url: str, env: LocalScaleway, creds: NatsCredentials, done: asyncio.Future[Any]
) -> int:
    """How many connections the node at `url` accepted with `creds` while `done` is pending
    (probing without pause; a node not listening yet accepts none)."""
    accepted = 0
    while not done.done():
        try:
            accepted += await accepted_by(url, env, creds)
        except NatsConnectError:  # not listening yet, or closing: not an admission
            await asyncio.sleep(0.005)
    return accepted


async def publish(
    env: LocalScaleway, account_id: str, creds: NatsCredentials, count: int
) -> dict[int, bytes]:
    """Publish `count` messages with acks to the account's R3 stream (made if missing), each
    with a message id so a retried publish is stored once; returns sequence -> payload of the
    acknowledged ones. A publish that gets no ack in time is not counted (not promised)."""
    nc = await connect(env.regions[creds.region], creds, env.ca_file)
    acked: dict[int, bytes] = {}
    try:
        js = nc.jetstream(timeout=JS_TIMEOUT)
        replicas = min(REPLICAS, env.cluster_size)
        await js.add_stream(name=STREAM, subjects=[SUBJECT], num_replicas=replicas)
        for _ in range(count):
            payload = uuid.uuid4().hex.encode()
            try:
                ack = await js.publish(SUBJECT, payload, headers={"Nats-Msg-Id": payload.decode()})
            except (nats.errors.TimeoutError, nats.js.errors.APIError):
                continue
            except nats.js.errors.NoStreamResponseError:
                # No responders: the stream's leader died and its peers are electing another
                # (nats-server's 4-9 s election timeout; nats-io/nats-server#3779). No ack.
                continue
            if ack.duplicate:
                raise Violation("jetstream", f"a first publish was taken for a duplicate: {ack}")
            acked[ack.seq] = payload
    finally:
        await nc.close()
    return acked


async def lost(env: LocalScaleway, creds: NatsCredentials, acked: dict[int, bytes]) -> list[int]:
    """Sequences of acknowledged messages the stream does not hold as published."""
    nc = await connect(env.regions[creds.region], creds, env.ca_file)
    missing = []
    try:
        js = nc.jetstream(timeout=JS_TIMEOUT)
        for seq, payload in sorted(acked.items()):
            deadline = time.monotonic() + READ_BACK_WITHIN
            while True:
                try:
                    message = await js.get_msg(STREAM, seq)
                except nats.js.errors.NotFoundError:
                    missing.append(seq)
                    break
                except (
                    nats.errors.TimeoutError,
                    nats.js.errors.ServiceUnavailableError,
                    nats.js.errors.NoStreamResponseError,  # electing a leader, as in publish
                ):
                    if time.monotonic() > deadline:
                        raise Violation(
                            "jetstream-unavailable",
                            f"{STREAM}, R{REPLICAS} with a majority of nodes up, unreadable for "
                            f"{READ_BACK_WITHIN} s (not a loss: unavailable)",
                        ) from None
                    await asyncio.sleep(0.5)
                    continue
                if message.data != payload:
                    missing.append(seq)
                break
    finally:
        await nc.close()
    return missing
