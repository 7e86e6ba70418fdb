"""What the API does to NATS: accounts, credentials, revocations, and healing after restarts.

HTTP-agnostic: ``app.py`` validates requests and maps the exceptions below to Scaleway errors.
Rule for every write: commit to SQLite first (one transaction), then push the account JWT to
the region's nats-server. If the push fails the change is still committed and is re-pushed by
``reconcile`` when the server (re)starts; the client gets a 503 (an ambiguous outcome, as with
the real service).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import secrets
import uuid

from . import jwt
from .nats_server import NatsServer, run_sync
from .store import Account, Credentials, Store

log = logging.getLogger("scaleway_nats.local")


class QuotaExceeded(Exception):
    def __init__(self, quota: int, current: int) -> None:
        super().__init__(f"nats_accounts quota {quota} reached ({current})")
        self.quota = quota
        self.current = current


class BackendUnavailable(Exception):
    """nats-server could not be reached or refused an update."""


def now() -> str:
    """RFC 3339 UTC with microseconds and ``Z``, e.g. ``2022-03-22T12:34:56.123456Z``.

    The fixed width makes the strings sort chronologically in SQL.
    """
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_name(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(4)}"


class Service:
    def __init__(
        self,
        store: Store,
        servers: dict[str, NatsServer],
        operator: jwt.Identity,
        max_accounts: int,
    ) -> None:
        self.store = store
        self.servers = servers
        self.operator = operator
        self.max_accounts = max_accounts
        # Serializes writes so "check quota, then insert" cannot race.
        self._write_lock = asyncio.Lock()

    def endpoint(self, region: str) -> str:
        return self.servers[region].url

    async def _push(self, region: str, token: str) -> None:
        try:
            await self.servers[region].push_account_jwt(token)
        except Exception as exc:  # any transport or server error means the same to the client
            log.warning("could not push account JWT to %s: %s", region, exc)
            raise BackendUnavailable(str(exc)) from exc

    def _account_jwt(
        self,
        account: jwt.Identity,
        account_id: str,
        revocations: dict[str, int] | None = None,
        *,
        disabled: bool = False,
    ) -> str:
        # The NATS-side name is the (immutable) id, so a rename needs no push.
        return jwt.account_jwt(
            self.operator,
            account.public_key,
            account_id,
            revocations=revocations,
            disabled=disabled,
        )

    # -- accounts ----------------------------------------------------------------------------

    async def create_account(
        self, region: str, project_id: str, name: str | None, org_projects: list[str]
    ) -> Account:
        async with self._write_lock:
            current = self.store.count_accounts(org_projects)
            if current >= self.max_accounts:
                raise QuotaExceeded(self.max_accounts, current)
            identity = jwt.Identity.generate("account")
            # Scaleway's account id is the account's NKEY public key (the name nats-server
            # knows it by), see check_account_id in app.py.
            account_id = identity.public_key
            created = now()
            account = Account(
                id=account_id,
                region=region,
                project_id=project_id,
                name=name if name is not None else default_name("nats-account"),
                public_key=identity.public_key,
                seed=identity.seed,
                jwt=self._account_jwt(identity, account_id),
                revocations={},
                created_at=created,
                updated_at=created,
            )
            self.store.insert_account(account)
        await self._push(region, account.jwt)
        return account

    def rename_account(self, account: Account, name: str) -> Account:
        updated = now()
        self.store.rename_account(account.id, name, updated)
        return Account(**{**account.__dict__, "name": name, "updated_at": updated})

    async def delete_account(self, account: Account) -> None:
        """Delete streams, then tombstone: every user revoked, no connections, no JetStream."""
        identity = jwt.Identity.from_seed(account.seed)
        server = self.servers[account.region]
        try:
            deleted = await server.delete_all_streams(identity)
        except Exception as exc:
            log.warning("could not delete streams of %s: %s", account.id, exc)
            raise BackendUnavailable(str(exc)) from exc
        log.info("account %s: deleted %d stream(s)", account.id, deleted)
        revocations = {
            **account.revocations,
            "*": int(dt.datetime.now(dt.timezone.utc).timestamp()),
        }
        token = self._account_jwt(identity, account.id, revocations=revocations, disabled=True)
        async with self._write_lock:
            self.store.update_account_jwt(account.id, token, revocations, deleted_at=now())
        await self._push(account.region, token)

    # -- credentials -------------------------------------------------------------------------

    async def create_credentials(
        self, account: Account, name: str | None
    ) -> tuple[Credentials, str]:
        """Returns the row and the ``.creds`` content; the content is never stored."""
        user = jwt.Identity.generate("user")
        creds_name = name if name is not None else default_name("nats-credentials")
        account_identity = jwt.Identity.from_seed(account.seed)
        content = jwt.creds_file(
            jwt.user_jwt(account_identity, user.public_key, creds_name), user.seed
        )
        created = now()
        creds = Credentials(
            id=str(uuid.uuid4()),
            region=account.region,
            account_id=account.id,
            name=creds_name,
            user_public_key=user.public_key,
            checksum=hashlib.sha256(content.encode()).hexdigest(),
            created_at=created,
            updated_at=created,
        )
        async with self._write_lock:
            self.store.insert_credentials(creds)
        return creds, content

    async def delete_credentials(self, creds: Credentials, account: Account) -> None:
        """Revoke the user in the account JWT: the server refuses and disconnects it."""
        async with self._write_lock:
            # Re-read under the lock: another revocation may have just updated the account.
            fresh = self.store.get_account(account.region, account.id, [account.project_id])
            if fresh is None:  # the account was deleted meanwhile: its creds are gone already
                return
            stamp = int(dt.datetime.now(dt.timezone.utc).timestamp())
            revocations = {**fresh.revocations, creds.user_public_key: stamp}
            token = self._account_jwt(
                jwt.Identity.from_seed(fresh.seed), fresh.id, revocations=revocations
            )
            self.store.revoke_credentials(creds.id, fresh.id, token, revocations)
        await self._push(account.region, token)

    # -- healing -----------------------------------------------------------------------------

    def reconcile(self, server: NatsServer) -> None:
        """Push every account JWT the resolver does not have yet (runs on each server start)."""
        stale = [
            a.jwt
            for a in self.store.accounts_in_region(server.region)
            if server.stored_jwt(a.public_key) != a.jwt
        ]
        if not stale:
            return
        log.info("re-pushing %d account JWT(s) to %s", len(stale), server.region)

        async def push_all() -> None:
            for token in stale:
                await server.push_account_jwt(token)

        run_sync(push_all())
