"""How much of Scaleway's quotas a NATS account uses, read over NATS.

Read as natscli's `nats account info` does: `$JS.API.INFO` answers the account's storage,
memory, streams and the limits its JWT sets; `$JS.API.STREAM.NAMES` and `$JS.API.STREAM.INFO`
give the consumers of each stream (Scaleway's consumer quota is per stream). nats-server
counts storage on every replica: an R3 stream holding 10 MB uses 30 MB of the account's quota
(nats-server #4281). The limits are the server's (the emulator sets Scaleway's, quotas.py); the
payload limit is Scaleway's published one, as no JetStream answer carries an account's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from . import quotas
from .errors import ScalewayError
from .models import NatsAccount, NatsCredentials

if TYPE_CHECKING:
    from nats.aio.client import Client as NatsClient

    from .api import NatsAPI

__all__ = ["AccountUsage", "Quota", "UsageReadError", "account_usage", "read_usage", "usage_of"]


class UsageReadError(ScalewayError, RuntimeError):
    """The account's JetStream API answered an error to a usage read."""


_TIMEOUT = 5.0
_NAMES_PAGE = 1024  # nats-server's page of stream names (JSApiNamesLimit)


@attrs.frozen
class Quota:
    """One quota: `used` of `limit` (None: not applicable, e.g. the payload quota is a cap)."""

    name: str
    used: int | None
    limit: int | None
    unit: str  # "bytes" or "count"

    @property
    def percent(self) -> float | None:
        """`used` as a percentage of `limit`; None when either is unknown or the limit is 0."""
        if self.used is None or not self.limit or self.limit < 0:
            return None
        return 100.0 * self.used / self.limit


@attrs.frozen
class AccountUsage:
    """Quota usage of one NATS account (bytes for sizes)."""

    account_id: str
    storage: Quota  # file storage, every replica counted
    memory: Quota
    streams: Quota
    consumers: Quota  # on the stream that has most (the quota is per stream)
    max_payload: Quota
    busiest_stream: str | None = None  # the stream `consumers` counts

    @property
    def quotas(self) -> tuple[Quota, ...]:
        return (self.storage, self.memory, self.streams, self.consumers, self.max_payload)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready record: numbers in bytes (sizes) or counts."""
        return {
            "account_id": self.account_id,
            "busiest_stream": self.busiest_stream,
            **{
                quota.name: {
                    "used": quota.used,
                    "limit": quota.limit,
                    "unit": quota.unit,
                    "percent": None if quota.percent is None else round(quota.percent, 2),
                }
                for quota in self.quotas
            },
        }


async def _request(nc: NatsClient, subject: str, body: dict[str, Any] | None = None) -> Any:
    reply = await nc.request(subject, json.dumps(body or {}).encode(), timeout=_TIMEOUT)
    data = json.loads(reply.data)
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        raise UsageReadError(f"{subject}: {error.get('code')} {error.get('description')}")
    return data


async def _consumers_per_stream(nc: NatsClient) -> dict[str, int]:
    names: list[str] = []
    while True:
        page = await _request(nc, "$JS.API.STREAM.NAMES", {"offset": len(names)})
        names += page.get("streams") or []
        if not page.get("streams") or len(names) >= int(page.get("total", 0)):
            break
    counts: dict[str, int] = {}
    for name in names:
        info = await _request(nc, f"$JS.API.STREAM.INFO.{name}")
        counts[name] = int(info.get("state", {}).get("consumer_count", 0))
    return counts


def _limit(value: object) -> int | None:
    """A limit from nats-server: -1 means none (None here)."""
    return int(value) if isinstance(value, int) and value >= 0 else None


async def read_usage(nc: NatsClient, account_id: str = "") -> AccountUsage:
    """The quota usage of the account `nc` is connected to (`account_id` only labels it)."""
    info = await _request(nc, "$JS.API.INFO")
    limits = info.get("limits") or {}
    counts = await _consumers_per_stream(nc)
    busiest = max(counts, key=lambda name: counts[name]) if counts else None
    return AccountUsage(
        account_id=account_id,
        storage=Quota(
            "storage", int(info.get("storage", 0)), _limit(limits.get("max_storage")), "bytes"
        ),
        memory=Quota(
            "memory", int(info.get("memory", 0)), _limit(limits.get("max_memory")), "bytes"
        ),
        streams=Quota(
            "streams", int(info.get("streams", 0)), _limit(limits.get("max_streams")), "count"
        ),
        consumers=Quota(
            "consumers_per_stream",
            counts[busiest] if busiest else 0,
            _limit(limits.get("max_consumers")),
            "count",
        ),
        max_payload=Quota("max_payload", None, quotas.MAX_PAYLOAD, "bytes"),
        busiest_stream=busiest,
    )


async def account_usage(
    account: NatsAccount,
    credentials: NatsCredentials | str | os.PathLike[str],
    ca_file: str | os.PathLike[str] | None = None,
) -> AccountUsage:
    """Connect to `account` with `credentials` (see `nats.connect`), read its usage, close."""
    from .nats import connect

    nc = await connect(account, credentials, ca_file)
    try:
        return await read_usage(nc, account.id)
    finally:
        await nc.close()


def usage_of(
    api: NatsAPI,
    account: NatsAccount,
    creds_file: str | os.PathLike[str] | None = None,
    ca_file: str | os.PathLike[str] | None = None,
    *,
    say: Callable[[str], None] = lambda message: None,
) -> AccountUsage:
    """`account_usage` from synchronous code. Without `creds_file`, short-lived credentials
    are created for the read and deleted after it (even when it fails); `say` is told."""
    import asyncio

    if creds_file is not None:
        return asyncio.run(account_usage(account, creds_file, ca_file))
    temporary = api.create_credentials(account)
    say(f"created short-lived credentials {temporary.id} in {account.id} to read its usage")
    try:
        return asyncio.run(account_usage(account, temporary, ca_file))
    finally:
        api.delete_credentials(temporary)
        say(f"deleted short-lived credentials {temporary.id}")
