"""``LocalScaleway``: wires TLS, keys, SQLite, each region's nats-servers and the HTTP API.

Layers, as in moto: ``Store`` (SQLite) under ``Service`` (every read and write, ownership,
visibility, domain errors) under the HTTP modules, ``app.py`` (Scaleway's API) and ``admin.py``
(the emulator's node controls), which this module composes into one ASGI app.

The API is served by uvicorn in a background thread (its own event loop; NATS pushes run there
too), so the emulator works from synchronous code, pytest fixtures and the CLI alike.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import socket
import string
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import ASGIApp

from .._files import write_atomic
from ..facts import MAX_ACCOUNTS, REGIONS
from . import jwt, profiles
from .admin import Admin
from .app import Api, application
from .cluster import NatsCluster, check_cluster_size, in_parallel
from .faults import DropFilter, FaultInjector, FaultStats
from .lag import RECORDED_RATE, ReadLag
from .lifecycle import Startable
from .lock import StateDirLock
from .nats_server import Trust
from .service import Service, now
from .store import DATABASE_FILE, Organization, StateError, Store
from .tls import TlsFiles, ensure_tls

# Requests per API connection before HTTPS mode ends it gracefully, as gateways do: nginx's
# `keepalive_requests` (HTTP/1.1, and HTTP/2 since 1.19.7) and Hypercorn's
# `keep_alive_max_requests` both default to 1,000. Scaleway publishes no figure for its own.
CONNECTION_MAX_REQUESTS = 1000

if TYPE_CHECKING:
    from .https import HttpsServer
    from .latency import LatencyProxy, ProxyStats

log = logging.getLogger("scaleway_nats.local")

API_START_TIMEOUT = 10.0


class ApiPortTaken(RuntimeError):
    """The API port this state dir used last time is taken by another program."""


def _new_organization() -> Organization:
    alphabet = string.ascii_uppercase + string.digits
    return Organization(
        organization_id=str(uuid.uuid4()),
        project_id=str(uuid.uuid4()),
        access_key="SCW" + "".join(secrets.choice(alphabet) for _ in range(17)),
        secret_key=str(uuid.uuid4()),
    )


def _load_identity(path: Path, kind: str) -> jwt.Identity:
    """Read a seed file, creating it (0600, atomically) on first use."""
    if path.exists():
        return jwt.Identity.from_seed(path.read_text().strip())
    identity = jwt.Identity.generate(kind)
    write_atomic(path, identity.seed + "\n", private=True)
    return identity


def _load_secret(path: Path) -> str:
    """Read a random secret file, creating it (0600, atomically) on first use: what a cluster's
    nodes authenticate their routes with, one per state dir."""
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(32)  # URL-safe: it goes into nats-route:// URLs as is
    write_atomic(path, secret + "\n", private=True)
    return secret


class LocalScaleway(Startable):
    """A local Scaleway NATS API (mnq/v1beta1) backed by real nats-servers.

    ``with LocalScaleway() as env:`` then point any client at ``env.api_url`` with
    ``env.secret_key``; NATS clients connect to ``env.regions[region]`` over TLS trusting
    ``env.ca_file``. ``state_dir=None`` uses a temporary directory deleted on ``stop()``.
    """

    def __init__(
        self,
        state_dir: Path | str | None = None,
        host: str = "127.0.0.1",
        api_port: int = 0,
        max_accounts: int = MAX_ACCOUNTS,
        fault_rate: float = 0.0,
        fault_seed: int | None = None,
        *,
        max_streams: int = jwt.DEFAULT_LIMITS.max_streams,
        max_consumers: int = jwt.DEFAULT_LIMITS.max_consumers,
        max_storage: int = jwt.DEFAULT_LIMITS.max_storage,
        max_memory: int = jwt.DEFAULT_LIMITS.max_memory,
        max_payload: int = jwt.DEFAULT_LIMITS.max_payload,
        propagation_delay: float = 0.0,
        read_lag: float = 0.0,
        read_lag_seed: int = 0,
        read_lag_rate: float = RECORDED_RATE,
        tls: bool = False,
        latency_ms: float = 0.0,
        cluster_size: int = 1,
        connection_max_requests: int | None = CONNECTION_MAX_REQUESTS,
    ) -> None:
        """JetStream limits (``max_*``, per account; bytes for storage, memory and payload)
        default to Scaleway's published quotas; they apply to accounts written from then on.
        ``propagation_delay`` (seconds) delays the API visibility of new resources and their
        activation on nats-server, like the real service's eventual consistency.
        ``read_lag`` (seconds) is the live API's intermittent lag instead (``lag.py``): a GET of
        a resource created less than that ago answers 404 now and then, drawn from a generator
        seeded with ``read_lag_seed`` (the same seed and reads give the same answers), with
        probability ``read_lag_rate`` (default: the recordings' ratio; 1.0 fails every young read).
        ``cluster_size`` nodes per region (1 to 5) run clustered JetStream behind one endpoint;
        ``stop_node``, ``start_node`` and ``kill_node`` break them for failover tests.
        ``connection_max_requests``: with ``tls``, an API connection is ended gracefully after
        that many requests, as gateways do (HTTP/2 GOAWAY, HTTP/1.1 ``Connection: close``;
        None: never). Plain HTTP (uvicorn) never recycles: it has no per-connection limit.
        """
        self.cluster_size = check_cluster_size(cluster_size)
        if not 0.0 <= propagation_delay <= 3600:
            raise ValueError(f"propagation_delay must be 0..3600 seconds, got {propagation_delay}")
        self.propagation_delay = float(propagation_delay)
        self.read_lag = ReadLag(read_lag, read_lag_rate, read_lag_seed)  # checks the ranges
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {fault_rate}")
        for name, value in (
            ("max_streams", max_streams),
            ("max_consumers", max_consumers),
            ("max_storage", max_storage),
            ("max_memory", max_memory),
            ("max_payload", max_payload),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        self.limits = jwt.Limits(max_streams, max_consumers, max_storage, max_memory, max_payload)
        # Imported here: `python -m scaleway_nats.local.latency` runs after this package loads.
        from .latency import MAX_LATENCY_MS

        if not 0.0 <= latency_ms <= MAX_LATENCY_MS:
            raise ValueError(
                f"latency_ms must be between 0 and {MAX_LATENCY_MS:.0f} (one way), got {latency_ms}"
            )
        if connection_max_requests is not None and (
            isinstance(connection_max_requests, bool)
            or not isinstance(connection_max_requests, int)
            or connection_max_requests < 1
        ):
            raise ValueError(
                f"connection_max_requests must be an integer >= 1 or None (never recycle), "
                f"got {connection_max_requests!r}"
            )
        self.connection_max_requests = connection_max_requests
        self.tls = tls
        self.latency_ms = latency_ms
        self._https: HttpsServer | None = None
        self._latency: LatencyProxy | None = None  # both imported when used
        # Absolute: the paths it hands out (ca_file) must survive a `cd` (issue 22).
        self._requested_dir = Path(state_dir).absolute() if state_dir is not None else None
        self.host = host
        self.api_port = api_port
        self.max_accounts = max_accounts
        self.fault_rate = fault_rate
        self.fault_seed = fault_seed
        self._stats = FaultStats()
        self._faults: FaultInjector | None = None
        self._temp_dir: Path | None = None
        self._store: Store | None = None
        self._servers: dict[str, NatsCluster] = {}
        self._service: Service | None = None
        self._lock: StateDirLock | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._org: Organization | None = None
        self.state_dir = self._requested_dir or Path()
        self.api_url = ""
        self.ca_file = ""

    @classmethod
    def production_like(cls, seed: int, **overrides: Any) -> LocalScaleway:
        """Every realistic dimension on together (local/profiles.py): HTTPS with HTTP/2,
        latency, propagation, faults drawn from ``seed``, and 3 nodes per region.
        ``overrides`` are any other ``LocalScaleway`` settings, or these changed."""
        return cls(**{**profiles.production_like(seed), **overrides})

    def __repr__(self) -> str:
        return (
            f"LocalScaleway(api_url={self.api_url!r}, state_dir={str(self.state_dir)!r}, "
            f"cluster_size={self.cluster_size})"
        )

    # -- the default organization ------------------------------------------------------------

    @property
    def organization(self) -> Organization:
        if self._org is None:
            raise RuntimeError("LocalScaleway is not started")
        return self._org

    @property
    def secret_key(self) -> str:
        return self.organization.secret_key

    @property
    def access_key(self) -> str:
        return self.organization.access_key

    @property
    def organization_id(self) -> str:
        return self.organization.organization_id

    @property
    def project_id(self) -> str:
        return self.organization.project_id

    @property
    def regions(self) -> dict[str, str]:
        return {region: server.url for region, server in self._servers.items()}

    @property
    def stats(self) -> dict[str, Any]:
        """``{"requests": n, "faults": n, "faults_by_kind": {kind: n}, "scripted_faults": n}``."""
        return self._stats.snapshot()

    @property
    def servers(self) -> dict[str, NatsCluster]:
        """Each region's nats-servers (``.nodes``), e.g. for tests of supervision."""
        return self._servers

    # -- fault controls ----------------------------------------------------------------------

    def _cluster(self, region: str) -> NatsCluster:
        if region not in REGIONS:
            raise ValueError(f"region must be one of {', '.join(REGIONS)}, got {region!r}")
        try:
            return self._servers[region]
        except KeyError:
            raise RuntimeError("LocalScaleway is not started") from None

    def stop_node(self, region: str, index: int) -> float:
        """Stop node ``index`` of ``region`` cleanly (SIGTERM); it stays down until
        ``start_node``. Returns the seconds until the rest of its cluster noticed."""
        return self._cluster(region).stop_node(index)

    def kill_node(self, region: str, index: int) -> float:
        """SIGKILL node ``index`` of ``region``, as a crash that nobody restarts until
        ``start_node``. Returns the seconds until the rest of its cluster noticed."""
        return self._cluster(region).stop_node(index, kill=True)

    def start_node(self, region: str, index: int) -> float:
        """Start node ``index`` of ``region`` again. Returns the seconds until it rejoined its
        cluster, with the latest account JWTs and current JetStream (its stream replicas
        caught up too)."""
        return self._cluster(region).start_node(index)

    def reseed_faults(self, seed: int | None) -> None:
        """Draw the following faults from a new ``random.Random(seed)``, so a sequence of
        requests meets the same faults whatever ran before (a chaos suite's examples)."""
        if self._faults is None:
            raise RuntimeError("LocalScaleway is not started")
        self._faults.reseed(seed)

    def create_organization(self) -> Organization:
        """Add an organization with its own default project and API key."""
        org = _new_organization()
        self._require_store().add_organization(org, now())
        return org

    def _require_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("LocalScaleway is not started")
        return self._store

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalScaleway:
        if self._store is not None:
            return self
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if self._requested_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="scaleway-nats-local-"))
            self.state_dir = self._temp_dir
        else:
            self.state_dir = self._requested_dir
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = StateDirLock(self.state_dir)
        self._lock.acquire()
        keys = self.state_dir / "keys"
        tls = ensure_tls(self.state_dir / "tls")
        self.ca_file = str(tls.ca_file)
        database = self.state_dir / DATABASE_FILE
        if (keys / "operator.nk").exists() and (
            not database.exists() or database.stat().st_size == 0
        ):
            # Keys without their database: starting afresh would mint a new organization and
            # secret key and orphan every account the resolver still knows.
            raise StateError(f"database {database} is missing or empty next to {keys}: restore it")
        operator = _load_identity(keys / "operator.nk", "operator")
        system = _load_identity(keys / "system-account.nk", "account")
        operator_file = keys / "operator.jwt"
        write_atomic(operator_file, jwt.operator_jwt(operator, system.public_key))
        trust = Trust(
            operator_file,
            system,
            jwt.account_jwt(operator, system.public_key, "SYS", system=True),
            _load_secret(keys / "route.secret"),
        )

        store = self._store = Store(database)
        orgs = store.organizations()
        if not orgs:
            orgs = [self.create_organization()]
        self._org = orgs[0]

        service = self._service = Service(
            store,
            operator,
            self.max_accounts,
            self.limits,
            self.propagation_delay,
            self.read_lag if self.read_lag.window else None,
        )
        previous_size = int(store.get_meta("cluster_size") or self.cluster_size)
        if previous_size != self.cluster_size:
            log.warning(
                "state dir %s ran with cluster_size=%d, now %d: accounts and credentials carry "
                "over, streams stay with the other layout",
                self.state_dir,
                previous_size,
                self.cluster_size,
            )
        for region in REGIONS:
            self._servers[region] = NatsCluster(
                region,
                self.state_dir / "nats" / region,
                trust,
                tls,
                size=self.cluster_size,
                host=self.host,
                ports=self._saved_ports(store, region),
                on_starting=service.seed_resolver,
                on_ready=service.reconcile,
                startup_guard=service.startup_guard,
                max_payload=self.limits.max_payload,
            )
            service.add_cluster(self._servers[region])
        in_parallel(NatsCluster.start, list(self._servers.values()), "region")
        for region, cluster in self._servers.items():
            store.set_meta(f"nats_ports:{region}", json.dumps(cluster.ports))
        store.set_meta("cluster_size", str(self.cluster_size))
        # A kept state dir keeps its API port, so clients configured once keep working.
        previous_port = store.get_meta("api_port")
        port = self.api_port or (int(previous_port) if previous_port else 0)
        try:
            routes = [*Api(service).routes(), *Admin(service).routes()]
            self._start_api(application(routes), port, tls)
        except OSError as exc:
            if self.api_port or not previous_port:
                raise
            raise ApiPortTaken(
                f"API port {port} (kept in {self.state_dir}) is taken: free it, "
                "or pass api_port= to use another"
            ) from exc
        store.set_meta("api_port", self.api_url.rsplit(":", 1)[1])

    @staticmethod
    def _saved_ports(store: Store, region: str) -> dict[str, int]:
        """The ports a region's nodes, routes and endpoint had last time (kept URLs)."""
        saved = store.get_meta(f"nats_ports:{region}")
        if saved:
            return {key: int(port) for key, port in json.loads(saved).items()}
        single = store.get_meta(f"nats_port:{region}")  # state dirs from before cluster mode
        return {"node-0": int(single)} if single else {}

    def _start_api(self, asgi: ASGIApp, port: int, tls: TlsFiles) -> None:
        app = self._faults = FaultInjector(asgi, self.fault_rate, self.fault_seed, self._stats)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when
        # the listener says TCP explicitly; without it every response waits ~40 ms (Nagle
        # against the client's delayed ACK, since uvicorn writes head and body apart).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # With latency the client-facing (kept) port is the proxy's; the server takes any.
        public_port, port = (port, 0) if self.latency_ms else (port, port)
        try:
            sock.bind((self.host, port))
        except OSError:
            sock.close()
            raise
        sock.listen(128)
        port = sock.getsockname()[1]
        scheme = "https" if self.tls else "http"
        if self.tls:  # HTTP/2 and HTTP/1.1 by ALPN, certificate from our CA (https.py)
            from .https import HttpsServer  # Hypercorn: imported only when asked for

            self._https = HttpsServer(app, sock, tls, self.connection_max_requests)
            self._https.start()
        else:  # uvicorn: faster than Hypercorn on plain HTTP (https.py has the figures)
            self._start_uvicorn(app, sock)
        if self.latency_ms:  # clients reach the API through the delaying proxy (latency.py)
            from .latency import LatencyProxy  # run alone too (python -m): imported when used

            self._latency = LatencyProxy(
                (self.host, port), self.latency_ms, host=self.host, port=public_port
            )
            port = self._latency.start().port
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.api_url = f"{scheme}://{host}:{port}"
        log.info("Scaleway NATS API emulator listening on %s", self.api_url)

    @property
    def latency_stats(self) -> ProxyStats | None:
        """What the latency proxy did (connections, chunks delayed), when `latency_ms` is set."""
        return self._latency.stats if self._latency is not None else None

    def _start_uvicorn(self, app: FaultInjector, sock: socket.socket) -> None:
        logging.getLogger("uvicorn.error").addFilter(DropFilter())
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,  # never log request lines (ids are fine, but keep stderr quiet)
            lifespan="off",
            timeout_keep_alive=30,
        )
        server = self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="scaleway-api", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + API_START_TIMEOUT
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator's HTTP server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop the API and every nats-server; idempotent. Removes a temporary state dir."""
        if self._service is not None:
            self._service.stopping()  # node actions arriving from now on: 503
        if self._latency is not None:
            self._latency.stop()
            self._latency = None
        if self._https is not None:
            self._https.stop()
            self._https = None
        self._faults = None
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
            if self._thread is not None:
                self._thread.join(API_START_TIMEOUT)
            self._uvicorn = None
            self._thread = None
        try:
            in_parallel(NatsCluster.stop, list(self._servers.values()), "region")
        except Exception:  # a stuck process must not keep the database and the lock open
            log.exception("could not stop every nats-server")
        self._servers.clear()
        if self._service is not None:
            self._service.close()
            self._service = None
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._lock is not None:  # last: nothing of ours touches the state dir any more
            self._lock.release()
            self._lock = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
