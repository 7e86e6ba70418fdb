"""Staying connected through a credentials rotation: a nats-py client that reconnects when
its user is revoked, and a JetStream publish that survives the reconnect.

What nats-py does (2.16, nats/aio/client.py): a creds *path* is read again at every
(re)connect (`_setup_nkeys_jwt_connect`: the JWT and signature callbacks open the file each
time), but on a server -ERR other than "Stale Connection" or a permissions error,
`Client._process_err` closes the connection for good (nats.py #714, #891): a rotation, which
deletes the old credentials, would cut the app off. nats.go reconnects on these
authentication errors; `reconnecting_client()` does the same once connected (an error during
the first connect still fails it). nats-py opens the file twice per connect (seed, then JWT):
a rotation replacing it in between pairs the new JWT with the old seed, the server refuses
that one attempt, and the next reads a whole new file (the file is replaced atomically).

A request in flight when a connection drops loses its answer (the reply went to the closed
connection), so a plain `js.publish` raises a timeout although the message may be stored:
`publish_acked` sends again with the same `Nats-Msg-Id` (JetStream stores it once, within
the stream's duplicate window, 2 minutes by default) as soon as the client has reconnected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from nats.aio.client import Client as NatsClient

# asyncio is imported where it is used: `scw-nats --help` loads this module (through nats.py)
# and must not pay for asyncio (issue 13, cold start).

__all__ = ["publish_acked", "reconnecting_client"]

log = logging.getLogger("scaleway_nats.nats")

# The -ERR lines nats-server sends before closing a connection whose user was revoked (a
# deleted credentials) or expired, or that it refuses on reconnect (server/client.go).
_REAUTHENTICATE = ("authorization violation", "authentication revoked", "authentication expired")


class _Reconnections:
    """Counts a client's reconnections and wakes whoever waits for the next one."""

    def __init__(self) -> None:
        import asyncio

        self.count = 0
        self._next: asyncio.Event = asyncio.Event()

    def happened(self) -> None:
        import asyncio

        self.count += 1
        self._next.set()
        self._next = asyncio.Event()

    async def after(self, count: int) -> None:
        """Return once more than `count` reconnections happened."""
        while self.count <= count:
            await self._next.wait()


# "duplicate message id is in process": the stream still handles the previous attempt, whose
# answer was lost; sending again after a pause gets its acknowledgement (nats-server
# JSStreamDuplicateMessageConflict; the README's failover example meets it too).
_IN_PROCESS = 10158


def _retryable(error: BaseException, retryable: tuple[type[BaseException], ...]) -> bool:
    import nats.js.errors

    if isinstance(error, retryable):
        return True
    return isinstance(error, nats.js.errors.APIError) and error.err_code == _IN_PROCESS


def reconnecting_client(options: dict[str, Any]) -> NatsClient:
    """A nats-py client that reconnects (reading its creds file again) when the server revokes
    its user. `options` (for `connect`) get a `reconnected_cb` that counts reconnections
    before calling the one given, for `publish_acked`."""
    from nats.aio.client import Client

    class ReconnectingClient(Client):
        """nats-py's client, reconnecting on authentication errors as nats.go does."""

        scaleway_reconnections: _Reconnections

        async def _process_err(self, err_msg: str) -> None:
            if self.is_connected and any(s in err_msg.lower() for s in _REAUTHENTICATE):
                log.info("NATS server said %s: reconnecting (creds file read again)", err_msg)
                await self._process_op_err(ConnectionResetError(err_msg.strip("'")))
                return
            await super()._process_err(err_msg)

    client = ReconnectingClient()
    reconnections = _Reconnections()
    client.scaleway_reconnections = reconnections
    given: Callable[[], Awaitable[None]] | None = options.get("reconnected_cb")

    async def reconnected() -> None:
        reconnections.happened()
        if given is not None:
            await given()

    options["reconnected_cb"] = reconnected
    return client


async def publish_acked(
    nc: NatsClient,
    subject: str,
    payload: bytes,
    *,
    msg_id: str,
    headers: Mapping[str, str] | None = None,
    stream: str | None = None,
    timeout: float = 60.0,
    attempt_timeout: float = 5.0,
) -> Any:
    """Publish to JetStream and return its acknowledgement (a PubAck), sending again with the
    same `msg_id` after a reconnect or an unanswered attempt, until `timeout` seconds.

    For a client from `scaleway_nats.nats.connect()` with a creds file, a reconnect ends the
    attempt at once; for others, an attempt ends after `attempt_timeout`. Errors other than a
    lost answer (a refused message, a full stream) are raised at once. The message is stored
    once as long as the retries stay within the stream's duplicate window.
    """
    import asyncio

    import nats.errors
    import nats.js.errors

    retryable = (
        nats.errors.TimeoutError,  # the answer went to a connection that is gone
        nats.errors.NoRespondersError,  # the stream has no leader yet (a cluster)
        nats.js.errors.NoStreamResponseError,
        nats.js.errors.ServiceUnavailableError,
        nats.errors.ConnectionReconnectingError,
    )
    js = nc.jetstream()
    reconnections: _Reconnections | None = getattr(nc, "scaleway_reconnections", None)
    sent_headers = {**(headers or {}), "Nats-Msg-Id": msg_id}
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        left = deadline - time.monotonic()
        seen = reconnections.count if reconnections else 0
        ack = asyncio.ensure_future(
            js.publish(
                subject,
                payload,
                timeout=min(attempt_timeout, max(left, 0.001)),
                stream=stream,
                headers=sent_headers,
            )
        )
        waiters: set[asyncio.Future[Any]] = {ack}
        if reconnections is not None:
            waiters.add(asyncio.ensure_future(reconnections.after(seen)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters - {ack}:
                waiter.cancel()
        if ack.done():
            try:
                return ack.result()
            except (*retryable, nats.js.errors.APIError) as error:
                if time.monotonic() >= deadline or not _retryable(error, retryable):
                    raise
                log.debug("publish %s attempt %d: %s; sending again", msg_id, attempts, error)
                await asyncio.sleep(
                    min(0.05 * attempts, 0.5, max(0.0, deadline - time.monotonic()))
                )
                continue
        ack.cancel()  # reconnected: that attempt's answer, if any, went to the old connection
        log.debug("publish %s: reconnected during attempt %d; sending again", msg_id, attempts)
