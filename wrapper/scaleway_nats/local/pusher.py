"""Ordered account JWT pushes: what nats-server holds is always the latest committed state.

nats-server stores whichever account JWT is pushed to it last (``$SYS.REQ.CLAIMS.UPDATE``
replaces the stored one whatever its ``iat``), so two pushes racing on separate connections
could land out of order and let an older JWT win (a revoked user connecting again, a deleted
account coming back: issue 10). Here each region has ONE worker thread that runs pushes one
after the other, and a push never sends the JWT the caller committed but the one the database
holds when the push runs: the last push to run after the last commit therefore carries the
latest state, whatever order callers arrive in. A JWT the server already got from us is not
sent again, so ten concurrent revocations cost about one push.
Every wait is bounded: a caller waits at most ``SYNC_TIMEOUT`` seconds.

A node starting (again) pauses the pushes from the moment its resolver is seeded until it listens
(``paused``): a push that ran meanwhile would leave that node out (it is not running yet) and
answer before it holds the JWT, so a revoked user could connect to it after the delete's 204
(issue 18, item 3). Pushes queued meanwhile run once it listens, and include it.

A push that fails after its commit (the API then answers 503: an ambiguous outcome) is not
left to the next write to that account: a healer retries it every ``HEAL_INTERVAL`` until the
running nodes hold it (issue 18: a revocation answered 503 left every running node admitting
the user for good, while the client's retry got 404, "deleted").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from .cluster import NatsCluster
from .nats_server import (
    GUARD_TIMEOUT,
    PUSH_TIMEOUT,
    START_TIMEOUT,
    NatsServer,
    NatsServerError,
    run_sync,
)

log = logging.getLogger("scaleway_nats.local")

PUSH_ONE_TIMEOUT = PUSH_TIMEOUT  # one push: connect + requests
SYNC_TIMEOUT = 2 * PUSH_TIMEOUT  # a caller's whole wait: queue + its push
RECONCILE_TIMEOUT = 60.0  # re-pushing every stale account after a (re)start
HOLD_TIMEOUT = START_TIMEOUT + 1.0  # a starting node holds the worker at most this long
HEAL_INTERVAL = 0.5  # seconds between two retries of the pushes that failed


class PushError(Exception):
    """nats-server could not be reached, refused the JWT, or did not answer in time."""


class Pusher:
    """The single, ordered pusher of one region (to every running node of it)."""

    def __init__(
        self,
        cluster: NatsCluster,
        latest: Callable[[str], tuple[str, str] | None],
        committed: Callable[[], dict[str, tuple[str, str]]],
    ) -> None:
        """``latest(public_key)``: an account's committed (JWT, seed), None if unknown;
        ``committed()``: the same for every account of the region (tombstones too)."""
        self._cluster = cluster
        self._latest = latest
        self._committed = committed
        self._worker = ThreadPoolExecutor(1, thread_name_prefix=f"jwt-push-{cluster.region}")
        self._pushed: dict[str, str] = {}  # what the server got from us; worker thread only
        # Accounts whose last push failed: written by the worker only, read by any thread.
        self._failed: set[str] = set()
        self._closed = threading.Event()
        # Pushes and node start-ups exclude each other (see paused): both under this lock.
        self._gate = threading.Condition()
        self._starting = 0  # nodes between their seeding and their listening
        self._pushing = False  # the worker runs a job
        self._healer = threading.Thread(
            target=self._heal, name=f"jwt-heal-{cluster.region}", daemon=True
        )
        self._healer.start()

    async def sync(self, public_key: str) -> None:
        """Return once nats-server holds the latest committed JWT of the account."""
        try:
            future = self._worker.submit(self._sync_now, public_key)
        except RuntimeError as exc:  # shut down: the emulator is stopping
            raise PushError("the emulator is stopping") from exc
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), SYNC_TIMEOUT)
        except TimeoutError:
            raise PushError(f"no answer from nats-server {self._cluster.region} in time") from None

    def reconcile(self, node: NatsServer) -> None:
        """Push every account JWT a (re)started node's resolver does not hold (blocking,
        bounded)."""
        try:
            self._worker.submit(self._reconcile_now, node).result(RECONCILE_TIMEOUT)
        except Exception as exc:
            log.warning("could not re-push account JWTs to %s: %s", node.name, exc)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No push runs during the block (a node is starting); several nodes may hold it at once
        (a cluster's nodes start together, and must, to elect a JetStream leader promptly).

        Entered once the push running now (if any) is done; NatsServerError if that takes more
        than GUARD_TIMEOUT. A push waits for the blocks at most HOLD_TIMEOUT.
        """
        with self._gate:
            if not self._gate.wait_for(lambda: not self._pushing, GUARD_TIMEOUT):
                raise NatsServerError(f"the pushes of {self._cluster.region} did not pause")
            self._starting += 1
        try:
            yield
        finally:
            with self._gate:
                self._starting -= 1
                self._gate.notify_all()

    @contextlib.contextmanager
    def _pushing_now(self) -> Iterator[None]:
        """Around each job of the worker: waits while a node starts (PushError after
        HOLD_TIMEOUT), then keeps starting nodes out until the job is done."""
        with self._gate:
            if not self._gate.wait_for(lambda: self._starting == 0, HOLD_TIMEOUT):
                # Pushing now could answer while leaving the starting node out: a 503 instead.
                raise PushError(f"a node of {self._cluster.region} is still starting")
            self._pushing = True
        try:
            yield
        finally:
            with self._gate:
                self._pushing = False
                self._gate.notify_all()

    def close(self) -> None:
        self._closed.set()
        self._worker.shutdown(wait=False, cancel_futures=True)
        self._healer.join(HEAL_INTERVAL * 2)

    def _heal(self) -> None:
        """The healer's thread: while pushes have failed, retry them through the worker (so
        in order with the API's own), one round queued at a time."""
        round_: Future[None] | None = None
        while not self._closed.wait(HEAL_INTERVAL):
            if round_ is not None and not round_.done():
                continue
            if round_ is not None and not round_.cancelled() and round_.exception():
                # A node still starting, nats-server too slow: the next round tries again.
                log.debug("healing %s: %s", self._cluster.region, round_.exception())
            if not self._failed:
                continue
            try:
                round_ = self._worker.submit(self._heal_now)
            except RuntimeError:  # shut down: the emulator is stopping
                return

    # -- the worker thread -------------------------------------------------------------------

    def _push(self, public_key: str, token: str, seed: str) -> None:
        async def bounded() -> None:
            await asyncio.wait_for(self._cluster.push_account_jwt(token, seed), PUSH_ONE_TIMEOUT)

        try:
            run_sync(bounded())
        except Exception as exc:  # transport, refusal or timeout: all mean the same here
            self._pushed.pop(public_key, None)
            self._failed.add(public_key)
            raise PushError(str(exc) or type(exc).__name__) from exc
        self._pushed[public_key] = token
        self._failed.discard(public_key)

    def _heal_now(self) -> None:
        with self._pushing_now():
            for public_key in sorted(self._failed):
                self._sync_locked(public_key)  # a failure ends the round: retried next one

    def _sync_now(self, public_key: str) -> None:
        try:
            with self._pushing_now():
                self._sync_locked(public_key)
        except PushError:  # committed, not pushed (a node starting too long, a push failing)
            self._failed.add(public_key)
            raise

    def _sync_locked(self, public_key: str) -> None:
        if self._closed.is_set():
            raise PushError("the emulator is stopping")
        latest = self._latest(public_key)
        if latest is None or self._pushed.get(public_key) == latest[0]:
            self._failed.discard(public_key)  # nothing (left) to push
            return
        self._push(public_key, *latest)

    def _reconcile_now(self, node: NatsServer) -> None:
        with self._pushing_now():
            self._reconcile_locked(node)

    def _reconcile_locked(self, node: NatsServer) -> None:
        self._pushed.clear()  # a restarted server may hold anything: trust its files only
        stale = 0
        current = []  # held already: loaded below (pushes load the others)
        for public_key, (token, seed) in self._committed().items():
            # Current on this node (it was seeded) says nothing of the others, where a failed
            # push may have left an older JWT: that one is pushed again, to every node.
            if node.stored_jwt(public_key) == token and public_key not in self._failed:
                self._pushed[public_key] = token
                current.append((token, seed))
            else:
                self._push(public_key, token, seed)
                stale += 1
        if stale:
            log.info("re-pushed %d account JWT(s) to %s", stale, node.name)
        run_sync(asyncio.wait_for(self._cluster.load_accounts(node, current), RECONCILE_TIMEOUT))
