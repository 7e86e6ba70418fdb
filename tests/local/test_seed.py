"""The emulator's public seeding hook (`scaleway_nats.local.seed_credentials`).

The benchmark lists accounts of 50,000 credentials; it seeds them through this hook instead of
writing the emulator's SQLite schema itself. The store alone is enough here: no nats-server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleway_nats.local import Organization, seed_credentials
from scaleway_nats.local.store import DATABASE_FILE, Account, Page, Store

STAMP = "2024-05-06T07:08:09.123456Z"
ORG = Organization("org-1", "project-1", "SCWACCESSKEY", "secret")


def store_with_account(state_dir: Path, account_id: str = "A" * 56) -> Store:
    store = Store(state_dir / DATABASE_FILE)
    store.add_organization(ORG, STAMP)
    store.insert_account(
        Account(account_id, "nl-ams", ORG.project_id, "a", account_id, "S", "jwt", {}, STAMP, STAMP)
    )
    return store


def listed(store: Store, account_id: str, order_by: str = "created_at_asc") -> list[str]:
    total, rows = store.list_credentials(
        "nl-ams", [ORG.project_id], account_id, Page(1, 1000, order_by)
    )
    assert total == len(rows)
    return [row.name for row in rows]


def test_seeded_credentials_list_in_creation_order(tmp_path: Path) -> None:
    store = store_with_account(tmp_path)
    try:
        seed_credentials(tmp_path, "A" * 56, 300)  # another connection, as from another process
        names = listed(store, "A" * 56)
        assert names == [f"seeded-{index}" for index in range(300)]
        assert listed(store, "A" * 56, "created_at_desc") == names[::-1]
    finally:
        store.close()


@pytest.mark.parametrize(("account_id", "count"), [("B" * 56, 3), ("A" * 56, -1)])
def test_bad_seed_names_the_argument_and_inserts_nothing(
    tmp_path: Path, account_id: str, count: int
) -> None:
    store = store_with_account(tmp_path)
    try:
        with pytest.raises(ValueError, match="account_id" if count >= 0 else "count"):
            seed_credentials(tmp_path, account_id, count)
        assert listed(store, "A" * 56) == []
    finally:
        store.close()
