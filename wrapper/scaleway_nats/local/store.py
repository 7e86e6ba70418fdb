"""SQLite persistence (stdlib ``sqlite3``, WAL): organizations, NATS accounts, credentials.

The database is the source of truth. Each write request is exactly one transaction, committed
before the change is pushed to nats-server; on every (re)start the emulator re-pushes any
account JWT that differs from the resolver's copy, so a crash between commit and push heals.
Deleted accounts stay as tombstone rows (``deleted_at`` set) so their disabling JWT can be
re-pushed too. Credentials contents and seeds are never stored, only the user public key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import facts

DATABASE_FILE = "emulator.sqlite3"  # the store's file in an emulator's state dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY, access_key TEXT NOT NULL, secret_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id),
    is_default INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, region TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL, public_key TEXT NOT NULL, seed TEXT NOT NULL, jwt TEXT NOT NULL,
    revocations TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted_at TEXT);
CREATE TABLE IF NOT EXISTS credentials (
    id TEXT PRIMARY KEY, region TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL, user_public_key TEXT NOT NULL, checksum TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS accounts_by_region ON accounts(region, project_id);
CREATE INDEX IF NOT EXISTS credentials_by_account ON credentials(account_id);
-- Pages in the default order walk these instead of sorting every row of the account:
-- a page at offset 49,900 of a 50,000-credential account went from 81 ms to a few ms.
CREATE INDEX IF NOT EXISTS credentials_by_account_created
    ON credentials(account_id, created_at, id);
CREATE INDEX IF NOT EXISTS credentials_by_region_created ON credentials(region, created_at, id);
CREATE INDEX IF NOT EXISTS accounts_by_region_created ON accounts(region, created_at, id);
"""

# order_by value -> SQL ORDER BY; the id tie-breaker makes the order total and stable.


def _order_sql(order: str) -> str:
    """``name_desc`` -> ``name DESC, id DESC``: the id breaks ties, so pages never overlap."""
    column, direction = order.rsplit("_", 1)
    return f"{column} {direction.upper()}, id {direction.upper()}"


# Scaleway's orders (facts.py) as SQL; a column they name is a column of both tables.
ORDERS = {order: _order_sql(order) for order in facts.ORDERS}


class StateError(RuntimeError):
    """The state dir's database is corrupt, truncated or missing next to its keys."""


@dataclass(frozen=True)
class Organization:
    """An emulated Scaleway organization with one API key. ``secret_key`` is hidden in repr."""

    organization_id: str
    project_id: str
    access_key: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class Account:
    id: str
    region: str
    project_id: str
    name: str
    public_key: str
    seed: str = field(repr=False)
    jwt: str = field(repr=False)
    revocations: dict[str, int] = field(repr=False)
    created_at: str
    updated_at: str
    deleted_at: str | None = None


@dataclass(frozen=True)
class Credentials:
    id: str
    region: str
    account_id: str
    name: str
    user_public_key: str
    checksum: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Page:
    """Query window: 1-based page, page size and an ``ORDERS`` key."""

    page: int
    page_size: int
    order_by: str


def micro(stamp: str) -> str:
    """A stamp cut to microseconds (``...SS.ffffffZ``): what the database keeps, as the live
    API's get and list answers show, and what keeps SQL's text order chronological."""
    return stamp[:26] + "Z" if len(stamp) > 27 else stamp


def _placeholder_rows(
    region: str, account_id: str, count: int, prefix: str
) -> Iterator[tuple[str, ...]]:
    """Rows for `Store.seed_credentials`: created one microsecond apart from `count` s ago."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=count)
    for index in range(count):
        stamp = (start + dt.timedelta(microseconds=index)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        name, key, checksum = f"{prefix}-{index}", "U" + f"{index:055d}", f"{index:064x}"
        yield (str(uuid.uuid4()), region, account_id, name, key, checksum, stamp, stamp)


def _account(row: sqlite3.Row) -> Account:
    values = dict(row)
    values["revocations"] = json.loads(values["revocations"])
    return Account(**values)


class Store:
    """Thread-safe access to the emulator database (one connection, one lock)."""

    def __init__(self, path: Path | None) -> None:
        """``path`` None: an in-memory database, gone on ``close()`` (the unit tests' API)."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)  # holds account seeds: owner-only
            os.chmod(path, 0o600)
        target = ":memory:" if path is None else path
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # a commit survives a crash or power cut
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            check = self._db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            self._db.close()
            raise StateError(
                f"database {path} is unreadable ({exc}): restore or remove it"
            ) from None
        if check != "ok":
            self._db.close()
            raise StateError(f"database {path} is corrupt ({check}): restore or remove it")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args))

    # -- meta & organizations ----------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def add_organization(self, org: Organization, created_at: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO organizations VALUES (?, ?, ?, ?)",
                (org.organization_id, org.access_key, org.secret_key, created_at),
            )
            db.execute(
                "INSERT INTO projects VALUES (?, ?, 1)", (org.project_id, org.organization_id)
            )

    def add_project(self, organization_id: str, project_id: str) -> None:
        """Another project of an organization (a Scaleway organization holds several)."""
        with self._tx() as db:
            db.execute("INSERT INTO projects VALUES (?, ?, 0)", (project_id, organization_id))

    def organizations(self) -> list[Organization]:
        rows = self._query(
            "SELECT o.id, p.id AS project_id, o.access_key, o.secret_key FROM organizations o "
            "JOIN projects p ON p.organization_id = o.id AND p.is_default = 1 ORDER BY o.created_at"
        )
        return [
            Organization(r["id"], r["project_id"], r["access_key"], r["secret_key"]) for r in rows
        ]

    def organization_by_secret(self, secret_key: str) -> str | None:
        rows = self._query("SELECT id FROM organizations WHERE secret_key = ?", (secret_key,))
        return str(rows[0]["id"]) if rows else None

    def project_ids(self, organization_id: str) -> list[str]:
        rows = self._query("SELECT id FROM projects WHERE organization_id = ?", (organization_id,))
        return [str(r["id"]) for r in rows]

    # -- accounts ----------------------------------------------------------------------------

    def count_accounts(self, project_ids: list[str]) -> int:
        marks = ",".join("?" * len(project_ids))
        rows = self._query(
            f"SELECT COUNT(*) AS n FROM accounts WHERE deleted_at IS NULL "  # noqa: S608
            f"AND project_id IN ({marks})",
            tuple(project_ids),
        )
        return int(rows[0]["n"])

    def insert_account(self, account: Account) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    account.id,
                    account.region,
                    account.project_id,
                    account.name,
                    account.public_key,
                    account.seed,
                    account.jwt,
                    json.dumps(account.revocations),
                    micro(account.created_at),
                    micro(account.updated_at),
                ),
            )

    def get_account(self, region: str, account_id: str, project_ids: list[str]) -> Account | None:
        """A live account of ``region`` visible from ``project_ids`` (else None: 404)."""
        marks = ",".join("?" * len(project_ids))
        rows = self._query(
            f"SELECT * FROM accounts WHERE id = ? AND region = ? AND deleted_at IS NULL "  # noqa: S608
            f"AND project_id IN ({marks})",
            (account_id, region, *project_ids),
        )
        return _account(rows[0]) if rows else None

    def rename_account(self, account_id: str, name: str, updated_at: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE accounts SET name = ?, updated_at = ? WHERE id = ?",
                (name, updated_at, account_id),
            )

    def list_accounts(
        self, region: str, project_ids: list[str], page: Page, created_until: str = "~"
    ) -> tuple[int, list[Account]]:
        """``created_until`` hides newer rows (propagation delay); "~" sorts after any time."""
        marks = ",".join("?" * len(project_ids))
        where = f"region = ? AND deleted_at IS NULL AND project_id IN ({marks}) AND created_at <= ?"
        args = (region, *project_ids, created_until)
        total = self._query(f"SELECT COUNT(*) AS n FROM accounts WHERE {where}", args)  # noqa: S608
        rows = self._query(
            f"SELECT * FROM accounts WHERE {where} ORDER BY {ORDERS[page.order_by]} "  # noqa: S608
            "LIMIT ? OFFSET ?",
            (*args, page.page_size, (page.page - 1) * page.page_size),
        )
        return int(total[0]["n"]), [_account(r) for r in rows]

    def accounts_in_region(self, region: str) -> list[Account]:
        """Every account ever created in ``region``, tombstones included (for reconciliation)."""
        return [
            _account(r) for r in self._query("SELECT * FROM accounts WHERE region = ?", (region,))
        ]

    def committed_jwt(self, public_key: str) -> tuple[str, str] | None:
        """(JWT, seed) last committed for an account key (tombstones too), else None."""
        rows = self._query("SELECT jwt, seed FROM accounts WHERE public_key = ?", (public_key,))
        return (str(rows[0]["jwt"]), str(rows[0]["seed"])) if rows else None

    def committed_jwts(self, region: str) -> dict[str, tuple[str, str]]:
        """(JWT, seed) of every account of ``region`` by account key, tombstones included."""
        rows = self._query("SELECT public_key, jwt, seed FROM accounts WHERE region = ?", (region,))
        return {str(r["public_key"]): (str(r["jwt"]), str(r["seed"])) for r in rows}

    def update_account_jwt(
        self, account_id: str, token: str, revocations: dict[str, int], *, deleted_at: str | None
    ) -> None:
        """Store a new account JWT; with ``deleted_at`` also tombstone it and drop its creds."""
        with self._tx() as db:
            db.execute(
                "UPDATE accounts SET jwt = ?, revocations = ?, deleted_at = ? WHERE id = ?",
                (token, json.dumps(revocations), deleted_at, account_id),
            )
            if deleted_at is not None:
                db.execute("DELETE FROM credentials WHERE account_id = ?", (account_id,))

    def revoke_credentials(
        self,
        credentials_id: str,
        account_id: str,
        token: str,
        revocations: dict[str, int],
        updated_at: str,
    ) -> None:
        """Delete a credentials row and store the account JWT revoking it (and the account's
        new ``updated_at``), atomically."""
        with self._tx() as db:
            db.execute(
                "UPDATE accounts SET jwt = ?, revocations = ?, updated_at = ? WHERE id = ?",
                (token, json.dumps(revocations), micro(updated_at), account_id),
            )
            db.execute("DELETE FROM credentials WHERE id = ?", (credentials_id,))

    def set_created_at(self, resource_id: str, created_at: str) -> None:
        """Move an account's or credentials' creation time (``now()`` format), e.g. into the
        past: history the API cannot make, for tests and seeding. Unknown ids: no change."""
        with self._tx() as db:
            for table in ("accounts", "credentials"):
                db.execute(
                    f"UPDATE {table} SET created_at = ? WHERE id = ?",  # noqa: S608 - fixed names
                    (micro(created_at), resource_id),
                )

    # -- credentials -------------------------------------------------------------------------

    def insert_credentials(self, creds: Credentials) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    creds.id,
                    creds.region,
                    creds.account_id,
                    creds.name,
                    creds.user_public_key,
                    creds.checksum,
                    micro(creds.created_at),
                    micro(creds.created_at),  # one instant stored (see service.py)
                ),
            )

    def seed_credentials(self, account_id: str, count: int, *, prefix: str = "seeded") -> None:
        """Insert `count` placeholder credentials into a live account, in one transaction.

        For load tests (scripts/bench: listings of 50,000 items) where creating them through
        the API would take minutes. Rows are metadata only, as every row is (the emulator never
        keeps contents): names ``{prefix}-{index}``, user keys no nats-server knows, creation
        times one microsecond apart and in the past (visible at once; the default order is
        total). Raises ``ValueError`` for a negative `count` or an account that does not exist,
        inserting nothing.
        """
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        rows = self._query(
            "SELECT region FROM accounts WHERE id = ? AND deleted_at IS NULL", (account_id,)
        )
        if not rows:
            raise ValueError(f"account_id {account_id!r}: no such live account")
        region = str(rows[0]["region"])
        with self._tx() as db:
            db.executemany(
                "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                _placeholder_rows(region, account_id, count, prefix),
            )

    def get_credentials(
        self, region: str, credentials_id: str, project_ids: list[str]
    ) -> Credentials | None:
        marks = ",".join("?" * len(project_ids))
        rows = self._query(
            "SELECT c.* FROM credentials c JOIN accounts a ON a.id = c.account_id "  # noqa: S608
            f"WHERE c.id = ? AND c.region = ? AND a.project_id IN ({marks})",
            (credentials_id, region, *project_ids),
        )
        return Credentials(**dict(rows[0])) if rows else None

    def list_credentials(
        self,
        region: str,
        project_ids: list[str],
        account_id: str | None,
        page: Page,
        created_until: str = "~",
    ) -> tuple[int, list[Credentials]]:
        where = (
            f"c.region = ? AND a.project_id IN ({','.join('?' * len(project_ids))})"
            " AND c.created_at <= ?" + (" AND c.account_id = ?" if account_id else "")
        )
        args: tuple[str, ...] = (
            region,
            *project_ids,
            created_until,
            *([account_id] if account_id else []),
        )
        base = f"FROM credentials c JOIN accounts a ON a.id = c.account_id WHERE {where}"
        total = self._query(f"SELECT COUNT(*) AS n {base}", args)
        order = ", ".join(f"c.{term}" for term in ORDERS[page.order_by].split(", "))
        rows = self._query(
            f"SELECT c.* {base} ORDER BY {order} LIMIT ? OFFSET ?",
            (*args, page.page_size, (page.page - 1) * page.page_size),
        )
        return int(total[0]["n"]), [Credentials(**dict(r)) for r in rows]


def seed_credentials(state_dir: Path, account_id: str, count: int) -> None:
    """`Store.seed_credentials` on the store of the emulator using `state_dir`, running or not.

    Another process may hold the emulator: SQLite (WAL) lets this one write beside it, and the
    emulator reads every listing from the database, so the rows show at once.
    """
    store = Store(state_dir / DATABASE_FILE)
    try:
        store.seed_credentials(account_id, count)
    finally:
        store.close()
