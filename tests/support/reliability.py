"""Helpers of the reliability and security tests: one figures line per test, and what the
emulator's database holds (its source of truth, read without HTTP or faults)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

from scaleway_nats import RetryPolicy
from scaleway_nats.facts import DEFAULT_ORDER, REGIONS
from scaleway_nats.local import LocalScaleway, Organization
from scaleway_nats.local.store import Page


def figures(test: str, **values: Any) -> None:
    """Print one line of figures; `pytest -s` shows it, the report quotes it."""
    print(f"\nFIGURES {test}: {json.dumps(values, sort_keys=True, default=str)}")


def live_state(env: LocalScaleway, org: Organization) -> dict[str, Any]:
    """What the emulator's database (its source of truth, no HTTP, no faults) holds for `org`.

    Accounts: live ones, id -> name; credentials: id -> (account id, name); plus the number of
    account rows ever created (tombstones included) to spot duplicates that were deleted later.
    """
    store = env._require_store()
    projects = store.project_ids(org.organization_id)
    page = Page(1, 10_000, DEFAULT_ORDER)
    accounts: dict[str, str] = {}
    credentials: dict[str, tuple[str, str]] = {}
    ever = 0
    for region in REGIONS:
        _, rows = store.list_accounts(region, projects, page)
        accounts.update({a.id: a.name for a in rows})
        _, creds = store.list_credentials(region, projects, None, page)
        credentials.update({c.id: (c.account_id, c.name) for c in creds})
        ever += sum(a.project_id in projects for a in store.accounts_in_region(region))
    return {"accounts": accounts, "credentials": credentials, "accounts_ever": ever}


def client_settings(env: LocalScaleway, org: Organization, policy: RetryPolicy) -> dict[str, Any]:
    """A client's arguments for `org` on `env`: its retry policy, 10 s per attempt."""
    return {
        "secret_key": org.secret_key,
        "project_id": org.project_id,
        "api_url": env.api_url,
        "retry_policy": policy,
        "timeout": 10.0,
    }


@contextlib.contextmanager
def pushes_held(env: LocalScaleway, region: str, bound: float = 15.0) -> Iterator[None]:
    """The region's pushes held, as a node that is slow to start holds them (from its
    supervisor's thread), while the block runs."""
    service = env._service
    assert service is not None
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with service.pusher(region).paused():
            entered.set()
            release.wait(bound)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert entered.wait(bound)
    try:
        yield
    finally:
        release.set()
        holder.join(bound)
