"""A region's NATS: one nats-server, or a cluster of N joined by routes behind one endpoint.

With ``size=1`` the account endpoint is the node's own URL (as before cluster mode existed).
With ``size>1`` every node runs clustered JetStream, and the endpoint is a loopback front (a
``LatencyProxy`` without latency) handing each new connection to a live node: one URL, as on
Scaleway, while clients learn the nodes' own URLs from ``connect_urls`` and reconnect to them.

Account JWTs reach every node: each node's ``full`` resolver takes a push on
``$SYS.REQ.CLAIMS.UPDATE``, and a push here is done only when every running node answered that
it stored the JWT and, where the account is loaded, uses it. A node that is down gets the
committed JWTs written into its resolver directory before it starts again (``on_starting``),
so it never serves a revoked user, not even for the moment before its peers catch it up; and
pushes pause from that moment until it listens (``startup_guard``), so none answers while
leaving a starting node out.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import shutil
import socket
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from nats.aio.client import Client as NATS
from nats.aio.client import RawCredentials
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError

from .._cluster import MAX_CLUSTER_SIZE
from . import jwt
from .latency import LatencyProxy
from .nats_server import (
    Guard,
    Hook,
    NatsServer,
    NatsServerError,
    Routes,
    Trust,
    account_user_creds,
)
from .tls import TlsFiles

log = logging.getLogger("scaleway_nats.local")

T = TypeVar("T")

NOTICE_TIMEOUT = 60.0  # seconds for a cluster to notice a node stopped, or to take one back:
# after a SIGKILL of the meta leader its election took 4.4-12.5 s here (split votes add 4-9 s)
GATHER_TIMEOUT = 1.0  # seconds to collect every running node's answer to a $SYS request
FIRST_ELECTION_WAIT = 1.2  # seconds a new cluster gets to elect its meta leader (usually 0.3)
ELECTION_ATTEMPTS = 3
POLL = 0.02  # seconds between two looks at the cluster's state
ROUTE_ATTEMPTS = 3  # starts of a cluster, each with fresh route ports after the first
LOAD_WINDOW = 8  # accounts a restarted node loads at once (each by one connection)


def check_cluster_size(value: object) -> int:
    """The number of nodes per region, 1..MAX_CLUSTER_SIZE; anything else is a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CLUSTER_SIZE:
        raise ValueError(
            f"cluster_size must be an integer from 1 to {MAX_CLUSTER_SIZE}, got {value!r}"
        )
    return value


def _free_ports(host: str, count: int) -> list[int]:
    """Ports free now, all distinct (held open together while picked)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with contextlib.ExitStack() as stack:
        socks = [
            stack.enter_context(socket.socket(family, socket.SOCK_STREAM)) for _ in range(count)
        ]
        for sock in socks:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in socks]


class NatsCluster:
    """The nats-servers of one region and its single endpoint."""

    def __init__(
        self,
        region: str,
        directory: Path,
        trust: Trust,
        tls: TlsFiles,
        *,
        size: int = 1,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        on_starting: Hook | None = None,
        on_ready: Hook | None = None,
        startup_guard: Guard | None = None,
        max_payload: int = jwt.DEFAULT_LIMITS.max_payload,
    ) -> None:
        """``ports``: what ``ports`` returned last time (``node-I``, ``route-I``, ``endpoint``),
        so a kept state dir keeps its URLs; missing ones are picked free."""
        self.region = region
        self.size = check_cluster_size(size)
        self.host = host
        self.tls = tls
        self.trust = trust
        saved = dict(ports or {})
        common: dict[str, Any] = {
            "host": host,
            "on_starting": on_starting,
            "on_ready": on_ready,
            "startup_guard": startup_guard,
            "max_payload": max_payload,
        }
        if size == 1:
            self.nodes = [
                NatsServer(region, directory, trust, tls, port=saved.get("node-0"), **common)
            ]
        else:
            # Named after this emulator's operator (stable per state dir): two emulators on
            # one machine whose route ports crossed must not join into one cluster.
            name = f"scw-local-{region}-{trust.system_account.public_key[-6:].lower()}"
            fresh = iter(_free_ports(host, size))
            peers = tuple(saved.get(f"route-{i}") or next(fresh) for i in range(size))
            self.nodes = [
                NatsServer(
                    region,
                    directory / f"node-{i}",
                    trust,
                    tls,
                    name=f"scw-local-{region}-{i}",
                    index=i,
                    port=saved.get(f"node-{i}"),
                    routes=Routes(name, peers[i], peers),
                    **common,
                )
                for i in range(size)
            ]
        self._endpoint_port = saved.get("endpoint", 0)
        self._front: LatencyProxy | None = None
        self._turn = itertools.count()  # spreads new connections over the nodes

    def __repr__(self) -> str:
        return f"NatsCluster(region={self.region!r}, size={self.size}, url={self.url!r})"

    @property
    def url(self) -> str:
        """The account endpoint: the only node's URL, or the front of the cluster."""
        if self._front is None:
            return self.nodes[0].url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"nats://{host}:{self._front.port}"

    @property
    def ports(self) -> dict[str, int]:
        """Every port in use, to be passed back as ``ports`` on the next start."""
        found = {f"node-{node.index}": node.port for node in self.nodes if node.port is not None}
        found.update({f"route-{n.index}": n.routes.port for n in self.nodes if n.routes})
        if self._front is not None:
            found["endpoint"] = self._front.port
        return found

    def node(self, index: int) -> NatsServer:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise ValueError(
                f"node index must be from 0 to {self.size - 1} in {self.region} "
                f"(cluster_size={self.size}), got {index!r}"
            )
        return self.nodes[index]

    def running_nodes(self) -> list[NatsServer]:
        return [node for node in self.nodes if node.running]

    def _live_addresses(self) -> list[tuple[str, int]]:
        """Running nodes for the front, starting at a rotating one."""
        live = [(self.host, node.port) for node in self.running_nodes() if node.port is not None]
        if not live:
            return []
        first = next(self._turn) % len(live)
        return live[first:] + live[:first]

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start every node (in parallel), the front, and wait until the cluster is whole:
        every node routed to each of its peers and its JetStream current."""

        def healthy() -> bool:
            return all(node.healthy() for node in self.nodes)

        def whole() -> bool:
            # JetStream's meta layer is current with a majority: a node can be healthy while
            # its route to the third is still being made (seen after a route-port retry).
            names = {node.name for node in self.nodes}
            for node in self.nodes:
                if node.peers() != names - {node.name}:
                    return False
            return healthy()

        stores = [node.directory / "jetstream" for node in self.nodes]
        fresh = self.size > 1 and not any(store.exists() for store in stores)
        try:
            self._start_nodes()
            for _ in range(ELECTION_ATTEMPTS if fresh else 0):
                if _poll(healthy, FIRST_ELECTION_WAIT):
                    break
                # A new cluster's nodes campaign 0.1-0.8 s after starting; when their votes
                # split, nats-server waits its 4-9 s election timeout (raft.go) before trying
                # again (seen in 4 of 40 start-ups). A new cluster holds no data yet: start it
                # afresh instead, which campaigns again at once.
                log.info("%s elected no JetStream meta leader: starting it afresh", self.region)
                self._stop_nodes()
                for store in stores:
                    shutil.rmtree(store, ignore_errors=True)
                self._start_nodes()
            if self.size > 1:
                self._front = self._start_front()
            self._wait(whole, f"the nats-servers of {self.region} did not become whole")
        except BaseException:
            self.stop()
            raise

    def _start_nodes(self) -> None:
        """Start every node. Route ports are picked free but bound a moment later, so another
        program can take one meanwhile (or a kept port is taken by now): nats-server then
        exits ("Error listening on router port"). So a failed start picks fresh route ports
        for every node and tries again, ROUTE_ATTEMPTS times in all."""
        for attempt in range(1, ROUTE_ATTEMPTS + 1):
            try:
                in_parallel(self._start_node, self.nodes, "nats-node")
                return
            except NatsServerError as error:
                if self.size == 1 or attempt == ROUTE_ATTEMPTS:
                    raise
                log.warning("%s: %s; retrying with new route ports", self.region, error)
                self._stop_nodes()
                fresh = tuple(_free_ports(self.host, self.size))
                for node in self.nodes:
                    assert node.routes is not None  # size > 1
                    node.routes = Routes(node.routes.name, fresh[node.index], fresh)

    def _start_front(self) -> LatencyProxy:
        try:
            return LatencyProxy(
                self._live_addresses, 0.0, host=self.host, port=self._endpoint_port
            ).start()
        except OSError:  # the previous run's port is taken: the endpoint URL is read live
            return LatencyProxy(self._live_addresses, 0.0, host=self.host).start()

    def stop(self) -> None:
        if self._front is not None:
            self._endpoint_port = self._front.port
            self._front.stop()
            self._front = None
        self._stop_nodes()

    @staticmethod
    def _start_node(node: NatsServer) -> None:
        try:
            node.start()
        except NatsServerError:
            if node.port is None:
                raise
            node.port = None  # the previous run's client port is taken: pick a new one
            node.start()

    def _stop_nodes(self) -> None:
        in_parallel(NatsServer.stop, self.nodes, "nats-node")

    def _wait(self, condition: Callable[[], bool], failure: str) -> None:
        """Poll ``condition`` until true; NatsServerError after NOTICE_TIMEOUT, with what each
        running node reported last."""
        if not _poll(condition, NOTICE_TIMEOUT):
            raise NatsServerError(f"{failure} within {NOTICE_TIMEOUT:.0f}s: {self._state()}")

    def _state(self) -> str:
        """Each node as it reports itself (over NATS), for error messages."""
        parts = []
        for node in self.nodes:
            if not node.running:
                parts.append(f"{node.name} down")
                continue
            peers = ", ".join(sorted(node.peers() or ())) or "none"
            leader = node.meta_leader() or "none"
            health = "healthy" if node.healthy() else "not healthy"
            parts.append(f"{node.name} {health}, meta leader {leader}, routes to {peers}")
        return "; ".join(parts)

    # -- fault controls ----------------------------------------------------------------------

    def stop_node(self, index: int, *, kill: bool = False) -> float:
        """Stop one node (SIGTERM, or SIGKILL with ``kill``) and keep it down until
        ``start_node``. Returns, with the seconds it took, once every other running node has
        dropped its routes to it and, if a majority is left, JetStream is current again."""
        node = self.node(index)
        started = time.monotonic()
        node.stop(kill=kill)

        def noticed() -> bool:
            others = self.running_nodes()
            if any(node.name in (other.peers() or ()) for other in others):
                return False
            if 2 * len(others) <= self.size:
                return True  # no majority left: JetStream waits for a node to come back
            # A dead meta leader is still named, and HEALTHZ still ok, until the survivors
            # elect another (nats-server's election timeout: 4-9 s after a SIGKILL).
            live = {other.name for other in others}
            return all(other.meta_leader() in live and other.healthy() for other in others)

        self._wait(noticed, f"the cluster of {self.region} did not notice node {index} stopping")
        return time.monotonic() - started

    def start_node(self, index: int) -> float:
        """Start a stopped node; returns, with the seconds it took, once it has routes to every
        other running node and its JetStream is current: the meta layer and every stream
        replica it holds (``_streams_current``). A running node is left as it is."""
        node = self.node(index)
        started = time.monotonic()
        if not node.running:
            self._start_node(node)

        def joined() -> bool:
            others = [other for other in self.running_nodes() if other is not node]
            peers = node.peers()
            if peers is None or any(other.name not in peers for other in others):
                return False
            return node.healthy() and self._streams_current(node)

        self._wait(joined, f"node {index} of {self.region} did not rejoin its cluster")
        return time.monotonic() - started

    def _streams_current(self, node: NatsServer) -> bool:
        """Every stream replica ``node`` holds is current, as its stream's leader reports.

        The meta layer being current (``healthy``) says the node knows its streams, not that
        it holds their messages: a stream written while it was down is still catching up
        then (seen: lag 5-6 right after it rejoined). Killing another node at that moment can
        leave a majority in which only one replica is current (issue 18, chaos violation D).
        A stream with no live leader is waited for while a majority of its peers runs (it
        elects one); with fewer, nothing can catch it up, and it is not waited for.
        """
        groups = node.stream_groups()
        if groups is None:
            return False
        running = {other.name: other for other in self.running_nodes()}
        leaders: dict[str, dict[str, dict[str, Any]] | None] = {}
        for group, cluster in groups.items():
            leader = cluster.get("leader")
            if leader == node.name:
                continue  # it leads: current by definition
            if leader not in running:
                peers = {str(r.get("name")) for r in cluster.get("replicas") or []} | {node.name}
                if 2 * len(peers & running.keys()) > len(peers):
                    return False  # electing a leader, which then catches this node up
                continue
            if leader not in leaders:
                leaders[leader] = running[leader].stream_groups()
            seen = (leaders[leader] or {}).get(group) or {}
            if seen.get("leader") != leader:
                return False  # the leader's report is older or newer than this node's
            mine = [r for r in seen.get("replicas") or [] if r.get("name") == node.name]
            if not mine or not mine[0].get("current") or mine[0].get("lag"):
                return False
        return True

    # -- talking to the nodes ----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def connect(self, creds: RawCredentials) -> AsyncIterator[NATS]:
        """A connection to some running node (no reconnect); NatsServerError if none is up."""
        nodes = self.running_nodes()
        if not nodes:
            raise NatsServerError(f"every nats-server of {self.region} is down")
        for node in nodes:
            try:
                connection = node.connect(creds)
                nc = await connection.__aenter__()
            except Exception as error:  # that node went down meanwhile: try the next one
                failure: Exception = error
                continue
            try:
                yield nc
            finally:
                await connection.__aexit__(None, None, None)
            return
        raise failure

    async def push_account_jwt(self, token: str, seed: str | None = None) -> None:
        """Make every running node store AND use an account JWT, and check that each does.

        nats-server applies a pushed JWT to an account only if that account is loaded in
        memory; a client connection loading it at the same moment reads the older file and
        keeps it for good (found by tests/reliability/test_revocation.py: a revoked user still
        connected while the resolver's file revoked it). So, given the account's ``seed``, an
        account a node holds but has not loaded is loaded there first (a throw-away user
        connects to that node); after the push, every node must store this very JWT and, if
        the account is in its memory, use it.
        """
        try:
            await self._push_once(token, seed)
        except (TimeoutError, NatsError, OSError) as error:
            # The node we talked to may have gone down mid-push (a failover test kills nodes
            # at any time): once more, through another running node.
            log.info("push to %s failed (%s), trying another node", self.region, error)
            await self._push_once(token, seed)

    async def _push_once(self, token: str, seed: str | None) -> None:
        account = str(jwt.decode_claims(token)["sub"])
        nodes = self.running_nodes()
        async with self.connect(self.trust.system_user_creds()) as nc:
            if seed is not None:
                loaded = await self._account_infos(nc, account, nodes)
                for node in nodes:
                    if node.stored_jwt(account) is not None and not loaded.get(node.name):
                        await _load_account(node, jwt.Identity.from_seed(seed))
            replies = await _gather(nc, "$SYS.REQ.CLAIMS.UPDATE", token.encode(), nodes)
            refused = {name: reply["error"] for name, reply in replies.items() if "error" in reply}
            if refused:
                raise NatsServerError(f"nats-server refused the account JWT: {refused}")
            in_memory = await self._account_infos(nc, account, nodes)
        for node in nodes:
            if not node.running:
                continue  # died meanwhile: it gets the JWT written before it starts again
            if node.name not in replies or node.stored_jwt(account) != token:
                raise NatsServerError(f"{node.name} did not store the account JWT")
            # Not in memory at all: the next lookup reads the file, which is this JWT.
            data = in_memory.get(node.name)
            if data and data.get("jwt") != token:
                raise NatsServerError(f"{node.name} did not apply the account JWT")
        if seed is not None and self.size > 1 and _has_jetstream(token):
            # nats-server loads an account on first use, but in a cluster a JetStream request
            # can reach a node (meta leader, stream peer) that has not loaded it yet: about 1
            # new account in 8 then failed its first stream create with "JetStream not enabled
            # for account" (tests/cluster/test_storage.py). So every node loads it now.
            identity = jwt.Identity.from_seed(seed)
            for node in nodes:
                if node.running and not in_memory.get(node.name):
                    await _load_account(node, identity)

    @staticmethod
    async def _account_infos(
        nc: NATS, account: str, nodes: list[NatsServer]
    ) -> dict[str, dict[str, Any]]:
        """Each node's view of the account in its memory ({} where it is not loaded)."""
        replies = await _gather(nc, f"$SYS.REQ.ACCOUNT.{account}.INFO", b"", nodes)
        infos = {}
        for name, reply in replies.items():
            data = reply.get("data")
            infos[name] = data if isinstance(data, dict) else {}
        return infos

    async def load_accounts(self, node: NatsServer, accounts: list[tuple[str, str]]) -> None:
        """Have a (re)started node load every account of ``accounts`` (JWT, seed), deleted
        ones too: one connection per account, LOAD_WINDOW accounts at a time.

        nats-server loads an account on its first use, and first uses racing for one account
        share the account it is still building (server/accounts.go: buildInternalAccount
        hands it to concurrent lookups through tmpAccounts): one with its signing keys but
        neither its connection limit nor its revocations yet. Apps reconnecting all at once
        to a restarted node then got revoked users in (issue 18: a chaos run, and 2 of 2
        runs of tests/cluster/test_revocation.py's restart test). Loaded here, one at a time
        per account, before the start returns. In a cluster it also serves JetStream (see
        ``push_account_jwt``).
        """
        slots = asyncio.Semaphore(LOAD_WINDOW)

        async def load(seed: str) -> None:
            async with slots:
                await _load_account(node, jwt.Identity.from_seed(seed))

        await asyncio.gather(*(load(seed) for _, seed in accounts))

    async def delete_all_streams(self, account: jwt.Identity) -> int:
        """Delete every stream of an account (as a throw-away user of that account)."""
        async with self.connect(account_user_creds(account)) as nc:
            jsm = nc.jsm()
            names = [info.config.name for info in await jsm.streams_info()]
            for name in names:
                if name:
                    await jsm.delete_stream(name)
        return len(names)

    def stored_jwt(self, account_public_key: str) -> str | None:
        """The account JWT every node's resolver holds; None if any holds another or none."""
        stored = {node.stored_jwt(account_public_key) for node in self.nodes}
        return stored.pop() if len(stored) == 1 else None


def in_parallel(action: Callable[[T], object], items: Sequence[T], name: str) -> None:
    """Run ``action`` on every item at once (threads named ``name``); raise the first error
    once all are done. Nodes and regions start and stop this way."""
    if len(items) <= 1:  # no thread for one (a single-node region), none for nothing
        for item in items:
            action(item)
        return
    with ThreadPoolExecutor(len(items), thread_name_prefix=name) as pool:
        futures = [pool.submit(action, item) for item in items]
    for future in futures:
        future.result()


def _poll(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` every POLL seconds until true (True) or ``timeout`` passed (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL)
    return True


async def _gather(
    nc: NATS, subject: str, payload: bytes, nodes: list[NatsServer]
) -> dict[str, dict[str, Any]]:
    """Send a $SYS request every node answers; collect the answers by server name.

    Returns once each of ``nodes`` answered, or after GATHER_TIMEOUT with what came.
    """
    expected = {node.name for node in nodes}
    answers: dict[str, dict[str, Any]] = {}
    inbox = nc.new_inbox()
    subscription = await nc.subscribe(inbox)
    try:
        await nc.publish(subject, payload, reply=inbox)
        deadline = time.monotonic() + GATHER_TIMEOUT
        while not expected <= answers.keys():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                msg = await subscription.next_msg(timeout=remaining)
            except (TimeoutError, NatsTimeoutError):
                break
            with contextlib.suppress(ValueError, KeyError, TypeError):
                reply = json.loads(msg.data)
                answers[str(reply["server"]["name"])] = reply
    finally:
        await subscription.unsubscribe()
    return answers


def _has_jetstream(token: str) -> bool:
    """The account JWT gives JetStream storage (not the tombstone of a deleted account)."""
    limits = jwt.decode_claims(token).get("nats", {}).get("limits", {})
    return bool(limits.get("disk_storage") or limits.get("mem_storage"))


async def _load_account(node: NatsServer, account: jwt.Identity) -> None:
    """Have one node load an account from its resolver (a connection looks it up)."""
    with contextlib.suppress(Exception):  # e.g. a new account: nothing to load yet
        async with node.connect(account_user_creds(account)):
            pass
