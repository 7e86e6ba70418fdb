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
from scaleway_nats.local.jwt import decode_claims
from scaleway_nats.local.nats_server import NatsServer
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
    return [
        f"{c.id} @ {n.name} ({await asyncio.to_thread(diagnosis, c, n)})"
        for (c, n), ok in zip(probes, accepted, strict=True)
        if ok
    ]


def diagnosis(creds: NatsCredentials, node: NatsServer) -> str:
    """What `node` knew when it accepted revoked `creds`, for the violation's message: the
    user's `iat`, and the account JWT in the node's resolver file and in its memory (its
    `iat`, its connection limit, and when it revokes this user). Claims only, no secret.
    A leak seen once in a long run (seed 4003) could not be replayed: the message must tell."""
    user = decode_claims(_user_jwt(creds.content or ""))
    user_key = str(user.get("sub"))

    def view(token: object) -> str:
        if not isinstance(token, str) or token.count(".") != 2:
            return "none"
        claims = decode_claims(token)
        nats = claims.get("nats") or {}
        revoked = nats.get("revocations") or {}
        since = [revoked[key] for key in (user_key, "*") if key in revoked]
        return (
            f"iat {claims.get('iat')}, conn {(nats.get('limits') or {}).get('conn')}, "
            f"revokes this user at {max(since) if since else 'never'}"
        )

    report = node.monitor("ACCOUNTZ", account=creds.nats_account_id) or {}
    in_memory = (report.get("account_detail") or {}).get("jwt")
    return (
        f"user iat {user.get('iat')}; resolver file: {view(node.stored_jwt(creds.nats_account_id))}"
        f"; in memory: {view(in_memory)}"
    )


def _user_jwt(content: str) -> str:
    """The user JWT of a `.creds` file's content (the line after its BEGIN marker)."""
    lines = content.splitlines()
    for index, line in enumerate(lines[:-1]):
        if "BEGIN NATS USER JWT" in line:
            return lines[index + 1].strip()
    return ""


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
