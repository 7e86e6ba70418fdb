"""What the API does to NATS: accounts, credentials, revocations, and healing after restarts.

HTTP-agnostic, like moto's models: every read and write of the API goes through here, which
applies ownership (a caller sees its organization's projects only; another organization's
resource answers as a missing one) and visibility (``propagation_delay``, and the live API's
read lag, ``lag.py``) once, and refuses with ``domain.py``'s errors; ``app.py`` parses requests
and turns those errors into Scaleway's.

A region with no cluster added (``add_cluster``) has no nats-server: its writes commit and
answer, with nothing to push. The emulator adds every region's cluster before serving; the
unit tests run ``app.py`` over a ``Service`` without any, in-process (tests/support).

Rule for every write: commit to SQLite first (one transaction, JWT signed under the write
lock), then have the region's single ordered pusher (``pusher.py``) bring nats-server to the
latest committed JWT of the account. If the push fails the change is still committed and is
re-pushed by ``reconcile`` when the server (re)starts; the client gets a 503 (an ambiguous
outcome, as with the real service).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import math
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from .. import facts
from . import jwt
from .cluster import NatsCluster
from .domain import Denied, NotFound, QuotaExceeded, Unauthenticated, Unavailable
from .lag import ReadLag
from .nats_server import NatsServer
from .pusher import Pusher, PushError
from .store import Account, Credentials, Organization, Page, Store

log = logging.getLogger("scaleway_nats.local")

Row = TypeVar("Row", Account, Credentials)


@dataclass(frozen=True)
class Caller:
    """The authenticated organization and the projects it owns."""

    organization_id: str
    project_ids: list[str]

    def scope(self, project_id: str | None, action: str) -> list[str]:
        """Projects a request may touch: one of ours, or 403 for a foreign project."""
        if project_id is None:
            return self.project_ids
        if project_id not in self.project_ids:
            raise Denied(action)
        return [project_id]


def now() -> str:
    """RFC 3339 UTC with microseconds and ``Z``, e.g. ``2022-03-22T12:34:56.123456Z``.

    The fixed width makes the strings sort chronologically in SQL.
    """
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_ns() -> str:
    """Like ``now()`` with nanoseconds (9 digits), as the live API's create answers carry them
    (``2026-04-10T10:59:12.661542430Z`` in terraform-provider-scaleway's
    nats-credentials-update-name recording); get and list answer the stored microseconds."""
    ns = time.time_ns()
    stamp = dt.datetime.fromtimestamp(ns // 10**9, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{ns % 10**9:09d}Z"


def later_in_same_microsecond(stamp: str) -> str:
    """A nanosecond stamp a little after ``stamp``, in the same microsecond.

    Recorded credentials answers carry ``updated_at`` a few hundred ns after ``created_at``
    when created, and both equal to the microsecond when read back: the row stores one instant.
    """
    ns = int(stamp[20:29])
    bumped = min(ns + 1 + time.perf_counter_ns() % 500, ns - ns % 1000 + 999)
    return f"{stamp[:20]}{bumped:09d}Z"


def _epoch(stamp: str) -> int:
    """Whole seconds of a stamp: a user JWT's ``iat`` is its create's second (as recorded)."""
    moment = dt.datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
    return int(moment.replace(tzinfo=dt.UTC).timestamp())


def default_name(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(4)}"


class Service:
    def __init__(
        self,
        store: Store,
        operator: jwt.Identity,
        max_accounts: int,
        limits: jwt.Limits = jwt.DEFAULT_LIMITS,
        propagation_delay: float = 0.0,
        read_lag: ReadLag | None = None,
    ) -> None:
        self.store = store
        self.limits = limits
        # Like the real API, a new resource is briefly invisible (404) and not yet usable on
        # nats-server (Scaleway's Terraform provider retries 404/403 after creates for this).
        self.propagation_delay = propagation_delay
        self._delayed: set[asyncio.Future[None]] = set()  # holds delayed pushes until done
        # Reads of young resources that may answer 404 (lag.py): the live API's shape.
        self.read_lag = read_lag
        # Each region's cluster, added by the emulator before it starts them (add_cluster).
        self._clusters: dict[str, NatsCluster] = {}
        self.operator = operator
        self.max_accounts = max_accounts
        # Serializes writes so "check quota, then insert" cannot race, and so JWTs are signed
        # in commit order.
        self._write_lock = asyncio.Lock()
        self._pushers: dict[str, Pusher] = {}
        self._pushers_lock = threading.Lock()  # API thread and supervisor threads create them
        # Deletes answered 503 because their push failed: id -> (region, account key). A retry
        # of such a delete gets its 404 only once the push is made (see _settled).
        self._unpushed: dict[str, tuple[str, str]] = {}
        self._stopping = False

    # -- who asks, and what they see ---------------------------------------------------------

    def caller(self, secret_key: str) -> Caller:
        """The organization of an API key (401 for none or an unknown one)."""
        org = self.store.organization_by_secret(secret_key) if secret_key else None
        if org is None:
            raise Unauthenticated("no organization has this API key")
        return Caller(org, self.store.project_ids(org))

    def owner(self) -> Organization | None:
        """The emulator's own organization (its first), which may drive its nodes."""
        orgs = self.store.organizations()
        return orgs[0] if orgs else None

    def visible_until(self) -> str:
        """Resources created after this time are not visible yet (``now()`` format)."""
        if not self.propagation_delay:
            return "~"  # sorts after every timestamp
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.propagation_delay)
        return cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def visible(self, created_at: str) -> bool:
        return created_at <= self.visible_until()

    def lagging(self, created_at: str) -> bool:
        """Whether a GET of a resource created at ``created_at`` hits a replica behind."""
        return self.read_lag is not None and self.read_lag.lagging(created_at)

    def _visible(self, row: Row | None, resource: str, resource_id: str) -> Row:
        """``row`` if it exists and is visible yet (``propagation_delay``), else 404."""
        if row is None or not self.visible(row.created_at):
            raise NotFound(resource, resource_id)
        return row

    def _past_read_lag(self, row: Row, account_id: str) -> Row:
        """``row`` for a GET, unless it is young enough for a replica behind to answer (the
        live API's read lag): then 404, the "namespace" ``account_id`` not found."""
        if self.lagging(row.created_at):
            raise NotFound("namespace", account_id)
        return row

    def endpoint(self, region: str) -> str:
        """The region's cluster URL; with no cluster, Scaleway's own (as recorded:
        terraform-provider-scaleway internal/services/mnq/testdata/nats-*.cassette.yaml)."""
        cluster = self._clusters.get(region)
        return f"nats://nats.mnq.{region}.scaleway.com:4222" if cluster is None else cluster.url

    def add_cluster(self, cluster: NatsCluster) -> None:
        """The cluster serving ``cluster.region`` (its pushes, its healing, the admin routes)."""
        self._clusters[cluster.region] = cluster

    def clusters(self) -> dict[str, NatsCluster]:
        """Every region's cluster; 503 once the emulator is stopping (or before it started)."""
        if self._stopping or set(self._clusters) != set(facts.REGIONS):
            raise Unavailable(answer="nats is stopping")
        return dict(self._clusters)

    def stopping(self) -> None:
        """Called first by the emulator's stop: node actions arriving from now on get a 503."""
        self._stopping = True

    # -- reads -------------------------------------------------------------------------------

    def account(self, caller: Caller, region: str, account_id: str) -> Account:
        """A visible account of the caller's projects, or 404 ("namespace": Scaleway's word)."""
        account = self.store.get_account(region, account_id, caller.project_ids)
        return self._visible(account, "namespace", account_id)

    def read_account(self, caller: Caller, region: str, account_id: str) -> Account:
        """An account for a GET: may also 404 while it is young (the live API's read lag)."""
        account = self.account(caller, region, account_id)
        return self._past_read_lag(account, account.id)

    def list_accounts(
        self, caller: Caller, region: str, project_id: str | None, page: Page
    ) -> tuple[int, list[Account]]:
        projects = caller.scope(project_id, "read")
        return self.store.list_accounts(region, projects, page, self.visible_until())

    def credentials(self, caller: Caller, region: str, creds_id: str) -> Credentials:
        creds = self.store.get_credentials(region, creds_id, caller.project_ids)
        return self._visible(creds, "credentials", creds_id)

    def read_credentials(self, caller: Caller, region: str, creds_id: str) -> Credentials:
        """Credentials for a GET: may also 404 while young, naming their account ("sic": the
        live API's lagging credentials GET does, lag.py)."""
        creds = self.credentials(caller, region, creds_id)
        return self._past_read_lag(creds, creds.account_id)

    def list_credentials(
        self,
        caller: Caller,
        region: str,
        project_id: str | None,
        account_id: str | None,
        page: Page,
    ) -> tuple[int, list[Credentials]]:
        projects = caller.scope(project_id, "read")
        return self.store.list_credentials(region, projects, account_id, page, self.visible_until())

    def pusher(self, region: str) -> Pusher:
        with self._pushers_lock:
            if region not in self._pushers:
                self._pushers[region] = Pusher(
                    self._clusters[region],
                    self.store.committed_jwt,
                    lambda: self.store.committed_jwts(region),
                )
            return self._pushers[region]

    def close(self) -> None:
        with self._pushers_lock:
            for pusher in self._pushers.values():
                pusher.close()
            self._pushers.clear()

    async def _sync(self, region: str, public_key: str) -> None:
        """Bring nats-server to the account's latest committed JWT (503 if it cannot)."""
        if region not in self._clusters:
            return  # no nats-server in this region (see the module docstring)
        try:
            await self.pusher(region).sync(public_key)
        except PushError as exc:
            log.warning("could not push account JWT to %s: %s", region, exc)
            raise Unavailable(str(exc)) from exc

    def _account_jwt(
        self,
        account: jwt.Identity,
        account_id: str,
        revocations: dict[str, int] | None = None,
        *,
        disabled: bool = False,
        previous: str | None = None,
    ) -> str:
        # The NATS-side name is the (immutable) id, so a rename needs no push.
        return jwt.account_jwt(
            self.operator,
            account.public_key,
            account_id,
            revocations=revocations,
            disabled=disabled,
            previous=previous,
            signing_key=account.signing_key().public_key,
            jetstream=self.limits,
        )

    # -- accounts ----------------------------------------------------------------------------

    async def create_account(
        self, caller: Caller, region: str, project_id: str | None, name: str | None
    ) -> Account:
        """In ``project_id``, by default the organization's first project."""
        project = caller.scope(project_id, "write")[0]
        async with self._write_lock:
            current = self.store.count_accounts(caller.project_ids)
            if current >= self.max_accounts:
                raise QuotaExceeded(self.max_accounts, current)
            identity = jwt.Identity.generate("account")
            # Scaleway's account id is the account's NKEY public key (the name nats-server
            # knows it by), see check_account_id in app.py.
            account_id = identity.public_key
            created = now_ns()  # the answer's; the store keeps microseconds
            account = Account(
                id=account_id,
                region=region,
                project_id=project,
                name=name if name is not None else default_name("nats-account"),
                public_key=identity.public_key,
                seed=identity.seed,
                jwt=self._account_jwt(identity, account_id),
                revocations={},
                created_at=created,
                updated_at=created,
            )
            self.store.insert_account(account)
        if self.propagation_delay:
            # Activated on nats-server later (a crash before then: reconcile pushes it).
            asyncio.get_running_loop().call_later(
                self.propagation_delay,
                lambda: self._delayed.add(
                    asyncio.ensure_future(self._sync_later(region, account.public_key))
                ),
            )
        else:
            await self._sync(region, account.public_key)
        return account

    async def _sync_later(self, region: str, public_key: str) -> None:
        try:
            await self._sync(region, public_key)
        except Unavailable:
            pass  # logged by _sync; the next write or start re-pushes it
        finally:
            self._delayed = {f for f in self._delayed if not f.done()}

    def rename_account(
        self, caller: Caller, region: str, account_id: str, name: str | None
    ) -> Account:
        """The account renamed; as it is when ``name`` is None (a PATCH without a name)."""
        account = self.account(caller, region, account_id)
        if name is None:
            return account
        updated = now()
        self.store.rename_account(account.id, name, updated)
        return Account(**{**account.__dict__, "name": name, "updated_at": updated})

    async def delete_account(self, caller: Caller, region: str, account_id: str) -> None:
        """Delete streams, then tombstone: every user revoked, no connections, no JetStream."""
        async with self._settled(account_id):
            account = self.account(caller, region, account_id)
        identity = jwt.Identity.from_seed(account.seed)
        server = self._clusters.get(account.region)
        if server is not None:  # else no nats-server, so no streams (module docstring)
            try:
                deleted = await server.delete_all_streams(identity)
            except Exception as exc:
                log.warning("could not delete streams of %s: %s", account.id, exc)
                raise Unavailable(str(exc)) from exc
            log.info("account %s: deleted %d stream(s)", account.id, deleted)
        async with self._write_lock:
            # Re-read under the lock: a revocation may have been committed meanwhile.
            fresh = self.store.get_account(account.region, account.id, [account.project_id])
            if fresh is not None:
                revocations = {
                    **fresh.revocations,
                    "*": int(dt.datetime.now(dt.UTC).timestamp()),
                }
                token = self._account_jwt(
                    identity, fresh.id, revocations, disabled=True, previous=fresh.jwt
                )
                self.store.update_account_jwt(fresh.id, token, revocations, deleted_at=now())
        await self._sync_deleted(account_id, account.region, account.public_key)

    # -- credentials -------------------------------------------------------------------------

    async def create_credentials(
        self, caller: Caller, region: str, account_id: str, name: str | None
    ) -> tuple[Credentials, str]:
        """Returns the row and the ``.creds`` content; the content is never stored."""
        account = self.account(caller, region, account_id)
        user = jwt.Identity.generate("user")
        creds_name = name if name is not None else default_name("nats-credentials")
        account_identity = jwt.Identity.from_seed(account.seed)
        created = now_ns()  # the answer's; the store keeps microseconds
        content = jwt.creds_file(
            jwt.user_jwt(
                account_identity,
                user.public_key,
                creds_name,
                not_before=math.ceil(time.time() + self.propagation_delay)
                if self.propagation_delay
                else None,
                issued_at=_epoch(created),
            ),
            user.seed,
        )
        creds = Credentials(
            id=str(uuid.uuid4()),
            region=account.region,
            account_id=account.id,
            name=creds_name,
            user_public_key=user.public_key,
            # SHA-1 hex of the content, like Scaleway's (40 characters: the recorded
            # checksum in terraform-provider-scaleway's nats-credentials-basic cassette).
            checksum=hashlib.sha1(content.encode()).hexdigest(),  # noqa: S324 - not security
            created_at=created,
            updated_at=later_in_same_microsecond(created),
        )
        async with self._write_lock:
            self.store.insert_credentials(creds)
        return creds, content

    async def delete_credentials(self, caller: Caller, region: str, creds_id: str) -> None:
        """Revoke the user in the account JWT: the server refuses and disconnects it."""
        async with self._settled(creds_id):
            creds = self.credentials(caller, region, creds_id)
        account = self.account(caller, region, creds.account_id)
        async with self._write_lock:
            # Re-read under the lock: another revocation may have just updated the account.
            fresh = self.store.get_account(account.region, account.id, [account.project_id])
            if fresh is not None:  # else the account was deleted meanwhile, creds and all
                stamp = int(dt.datetime.now(dt.UTC).timestamp())
                revocations = {**fresh.revocations, creds.user_public_key: stamp}
                token = self._account_jwt(
                    jwt.Identity.from_seed(fresh.seed),
                    fresh.id,
                    revocations=revocations,
                    previous=fresh.jwt,
                )
                # The account's updated_at moves too (nats-credentials-update-name recording:
                # 10:59:12.661542Z -> 10:59:15.640401Z after the credentials delete, step 16).
                self.store.revoke_credentials(creds.id, fresh.id, token, revocations, now())
        await self._sync_deleted(creds_id, account.region, account.public_key)

    async def _sync_deleted(self, resource_id: str, region: str, public_key: str) -> None:
        """``_sync`` after a delete's commit, remembering a delete it could not push."""
        try:
            await self._sync(region, public_key)
        except Unavailable:
            self._unpushed[resource_id] = (region, public_key)
            raise

    @contextlib.asynccontextmanager
    async def _settled(self, resource_id: str) -> AsyncIterator[None]:
        """Around a delete's lookup: if ``resource_id`` is gone because an earlier delete of it
        committed but answered 503 (its push failed), the 404 waits until that push is made
        (503 again while it cannot be). The client takes a retried delete's 404 for "deleted",
        which must mean what a 204 means: every node refuses (issue 18)."""
        try:
            yield
        except NotFound:
            if resource_id in self._unpushed:
                await self._sync(*self._unpushed[resource_id])
                self._unpushed.pop(resource_id, None)
            raise

    # -- healing -----------------------------------------------------------------------------

    def seed_resolver(self, node: NatsServer) -> None:
        """Write the committed account JWTs a node lacks into its resolver directory.

        Runs before each (re)start of a node, while it is down: a node that missed a revocation
        (down, or killed mid-push) must not accept the revoked user when it comes back, not
        even before ``reconcile`` or its cluster peers bring it up to date.
        """
        written = 0
        for public_key, (token, _) in self.store.committed_jwts(node.region).items():
            if node.stored_jwt(public_key) != token:
                node.store_jwt(public_key, token)
                written += 1
        if written:
            log.info("wrote %d account JWT(s) to %s before its start", written, node.name)

    def startup_guard(self, node: NatsServer) -> AbstractContextManager[None]:
        """Held by a node from its seeding until it listens: the region's pushes pause, so a
        write answered meanwhile reaches that node too (pushed once it listens)."""
        return self.pusher(node.region).paused()

    def reconcile(self, node: NatsServer) -> None:
        """Push every account JWT a node's resolver does not have yet (runs on each start).

        Through the region's ordered pusher, so it cannot race the API's own pushes.
        """
        self.pusher(node.region).reconcile(node)
