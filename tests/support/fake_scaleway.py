"""A small in-memory fake of the Scaleway NATS API (mnq/v1beta1) for unit tests.

`FakeScaleway.handler` is an `httpx.MockTransport` handler implementing the nine
endpoints; `fail_next()` injects failures (5xx, 429 + Retry-After, transport errors
raised before or after the change is applied) and `requests` counts what was seen.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import itertools
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from scaleway_nats import REGIONS, AsyncNatsAPI, NatsAPI, RetryPolicy
from scaleway_nats.facts import DEFAULT_ORDER, ORDERS, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from tests.ids import new_account_id

API_URL = "https://scaleway.test"
SECRET_KEY = "11111111-2222-3333-4444-555555555555"
PROJECT_ID = "6b9c1c1e-5a0c-4f32-9a0d-3a1f4a3c2b10"
OTHER_PROJECT_ID = "0d5a5f0e-7f9b-4c4a-8f0e-2b3c4d5e6f70"

# The layout of a real .creds file (terraform-provider-scaleway's recorded create answer,
# internal/services/mnq/testdata/nats-credentials-basic.cassette.yaml), with fake key material.
CREDS_FILE = (
    "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n"
    "************************* IMPORTANT *************************\n"
    "NKEY Seed printed below can be used to sign and prove identity.\n"
    "NKEYs are sensitive and should be treated as secrets.\n\n"
    "-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n\n"
    "*************************************************************\n"
)

_PATH = re.compile(
    r"^/mnq/v1beta1/regions/(?P<region>[^/]+)/(?P<kind>nats-accounts|nats-credentials)"
    r"(?:/(?P<id>[^/]+))?$"
)
# Each order of facts.ORDERS as (field, descending): "name_desc" -> ("name", True).
_ORDERS = {order: (order.rsplit("_", 1)[0], order.endswith("_desc")) for order in ORDERS}


@attrs.define
class Fault:
    """One injected failure, consumed by the first request it matches."""

    status: int | None = None  # answer with this status (and a Scaleway error body)
    headers: dict[str, str] = attrs.field(factory=dict)
    body: dict[str, Any] | None = None  # the error body (default: a generic one)
    exception: type[httpx.TransportError] | None = None  # raise this instead of answering
    after: bool = False  # apply the request to the store first (the ambiguous case)
    method: str | None = None  # only requests with this method
    path_contains: str | None = None  # only requests whose path contains this


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _error(status: int, type_: str, message: str, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"type": type_, "message": message, **extra})


class FakeScaleway:
    """In-memory accounts and credentials per region, served through a handler."""

    api_url = API_URL
    secret_key = SECRET_KEY
    project_id = PROJECT_ID
    other_project_id = OTHER_PROJECT_ID

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, dict[str, Any]]] = {r: {} for r in REGIONS}
        self.credentials: dict[str, dict[str, dict[str, Any]]] = {r: {} for r in REGIONS}
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, dict[str, str]]] = []  # (method, path, query)
        self.requests: Counter[tuple[str, str]] = Counter()  # (method, path) -> count
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._clock = _now() - datetime.timedelta(seconds=30)
        # hooks: called with the request before it is handled
        self.on_request: Callable[[httpx.Request], None] | None = None
        self.async_delay: Callable[[httpx.Request], float] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        # eventual consistency: a new resource answers 404 (or `propagation_status`) by id,
        # and as the account of a new credentials, for this many seconds after its create
        self.propagation_delay = 0.0
        self.propagation_status = 404
        self._visible_at: dict[str, float] = {}

    # -- knobs ------------------------------------------------------------------------------

    def fail_next(self, count: int = 1, **fault: Any) -> None:
        """Make the next `count` matching requests fail as `Fault(**fault)` says."""
        self.faults.extend(Fault(**fault) for _ in range(count))

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def count(self, method: str | None = None, kind: str | None = None) -> int:
        """Requests seen, filtered by method and/or path fragment."""
        return sum(
            n
            for (m, p), n in self.requests.items()
            if (method is None or m == method.upper()) and (kind is None or kind in p)
        )

    def list_calls(self, kind: str = "nats-accounts") -> list[dict[str, str]]:
        return [q for m, p, q in self.log if m == "GET" and p.endswith(kind)]

    # -- direct access to the store (no request counted) ---------------------------------------

    def _stamp(self) -> str:
        # strictly increasing creation times, close to now
        self._clock = max(self._clock + datetime.timedelta(microseconds=1), _now())
        return _iso(self._clock)

    def add_account(
        self,
        name: str | None = None,
        project_id: str = PROJECT_ID,
        region: str = "fr-par",
    ) -> dict[str, Any]:
        with self._lock:
            seq = next(self._seq)
            account_id = new_account_id()
            stamp = self._stamp()
            account = {
                "id": account_id,
                "name": name if name is not None else f"account-{seq:05d}",
                "endpoint": "nats://nats.mnq.fr-par.scaleway.com:4222",
                "project_id": project_id,
                "region": region,
                "created_at": stamp,
                "updated_at": stamp,
                "_seq": seq,
            }
            self.accounts[region][account_id] = account
            return _public(account)

    def add_credentials(
        self, account_id: str, name: str | None = None, region: str = "fr-par"
    ) -> dict[str, Any]:
        with self._lock:
            return _public(self._new_credentials(account_id, name, region))

    def _new_credentials(self, account_id: str, name: str | None, region: str) -> dict[str, Any]:
        """Store a credentials record (the caller holds the lock) and return it."""
        seq = next(self._seq)
        stamp = self._stamp()
        content = CREDS_FILE.format(jwt=f"jwt-{seq}", seed=f"SUA{seq:055d}")
        credentials = {
            "id": str(uuid.uuid4()),
            "name": name if name is not None else f"credentials-{seq:05d}",
            "nats_account_id": account_id,
            "region": region,
            "created_at": stamp,
            "updated_at": stamp,
            "checksum": hashlib.sha1(content.encode()).hexdigest(),  # noqa: S324 (Scaleway's)
            "credentials": None,  # get and list answer null, the key present
            "_seq": seq,
            "_content": content,
        }
        self.credentials[region][credentials["id"]] = credentials
        return credentials

    def backdate(self, item: dict[str, Any], minutes: float, region: str = "fr-par") -> None:
        """Make a stored account or credentials look created `minutes` ago."""
        store = self.accounts if item["id"] in self.accounts[region] else self.credentials
        stamp = _iso(_now() - datetime.timedelta(minutes=minutes))
        store[region][item["id"]]["created_at"] = stamp

    def fill(self, count: int, region: str = "fr-par") -> list[str]:
        """Add `count` accounts in creation order; return their ids."""
        return [self.add_account(region=region)["id"] for _ in range(count)]

    def account_ids(self, region: str = "fr-par") -> list[str]:
        return list(self.accounts[region])

    # -- the handler ---------------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            key = (request.method, request.url.path)
            self.requests[key] += 1
            self.log.append((request.method, request.url.path, dict(request.url.params)))
            fault = self._take_fault(request)
        if self.on_request is not None:
            self.on_request(request)
        if fault is None:
            return self._serve(request)
        if fault.after:
            self._serve(request)
        if fault.exception is not None:
            raise fault.exception("injected failure", request=request)
        status = fault.status or 503
        body = fault.body or {"type": "injected", "message": f"injected {status}"}
        return httpx.Response(status, headers=fault.headers, json=body)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.async_delay is not None:
                await asyncio.sleep(self.async_delay(request))
            return self.handler(request)
        finally:
            self.in_flight -= 1

    def _not_yet_visible(
        self, request: httpx.Request, item_id: str | None
    ) -> httpx.Response | None:
        """What the real API answers for a resource created a moment ago (see the README)."""
        named = [item_id] if item_id else []
        if request.method == "POST" and request.content:
            named.append(json.loads(request.content).get("nats_account_id"))
        named.append(request.url.params.get("nats_account_id"))
        now = time.monotonic()
        for resource_id in filter(None, named):
            if self._visible_at.get(resource_id, 0.0) > now:
                if self.propagation_status == 403:
                    return _error(
                        403, "permissions_denied", "insufficient permissions: read namespace"
                    )
                return _not_found("namespace", resource_id)
        return None

    def _created(self, resource_id: str) -> None:
        if self.propagation_delay:
            self._visible_at[resource_id] = time.monotonic() + self.propagation_delay

    def _take_fault(self, request: httpx.Request) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.method is not None and fault.method.upper() != request.method:
                continue
            if fault.path_contains is not None and fault.path_contains not in request.url.path:
                continue
            return self.faults.pop(index)
        return None

    def _serve(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-Auth-Token") != SECRET_KEY:
            return _error(401, "denied_authentication", "authentication is denied")
        match = _PATH.match(request.url.path)
        if match is None:
            return _error(404, "not_found", "no such route")
        region, kind, item_id = match["region"], match["kind"], match["id"]
        if region not in REGIONS:
            return _error(404, "not_found", "unknown region")
        hidden = self._not_yet_visible(request, item_id)
        if hidden is not None:
            return hidden
        with self._lock:
            if kind == "nats-accounts":
                return self._accounts(request, region, item_id)
            return self._credentials(request, region, item_id)

    def _accounts(self, request: httpx.Request, region: str, item_id: str | None) -> httpx.Response:
        store = self.accounts[region]
        method = request.method
        if item_id is None and method == "GET":
            project = request.url.params.get("project_id")
            items = [a for a in store.values() if project is None or a["project_id"] == project]
            return _list(request, items, "nats_accounts")
        if item_id is None and method == "POST":
            body = json.loads(request.content)
            if not body.get("name") or not body.get("project_id"):
                return _error(
                    400,
                    "invalid_arguments",
                    "invalid argument(s)",
                    details=[{"argument_name": "name", "reason": "required", "help_message": ""}],
                )
            seq = next(self._seq)
            stamp = self._stamp()
            account = {
                "id": new_account_id(),
                "name": body["name"],
                "endpoint": f"nats://nats.mnq.{region}.scaleway.com:4222",
                "project_id": body["project_id"],
                "region": region,
                "created_at": stamp,
                "updated_at": stamp,
                "_seq": seq,
            }
            store[account["id"]] = account
            self._created(account["id"])
            return httpx.Response(200, json=_public(account))
        if item_id is None or item_id not in store:
            return _not_found("nats_account", item_id)
        account = store[item_id]
        if method == "GET":
            return httpx.Response(200, json=_public(account))
        if method == "PATCH":
            body = json.loads(request.content)
            if body.get("name"):
                account["name"] = body["name"]
                account["updated_at"] = self._stamp()
            return httpx.Response(200, json=_public(account))
        if method == "DELETE":
            del store[item_id]
            creds = self.credentials[region]
            for cid in [c for c, v in creds.items() if v["nats_account_id"] == item_id]:
                del creds[cid]
            return httpx.Response(204)
        return _error(405, "method_not_allowed", "method not allowed")

    def _credentials(
        self, request: httpx.Request, region: str, item_id: str | None
    ) -> httpx.Response:
        store = self.credentials[region]
        method = request.method
        if item_id is None and method == "GET":
            account = request.url.params.get("nats_account_id")
            project = request.url.params.get("project_id")
            accounts = self.accounts[region]
            items = [
                c
                for c in store.values()
                if (account is None or c["nats_account_id"] == account)
                and (
                    project is None
                    or accounts.get(c["nats_account_id"], {}).get("project_id") == project
                )
            ]
            return _list(request, items, "nats_credentials")
        if item_id is None and method == "POST":
            body = json.loads(request.content)
            account_id = body.get("nats_account_id")
            if account_id not in self.accounts[region]:
                return _not_found("nats_account", account_id)
            credentials = self._new_credentials(account_id, body.get("name") or None, region)
            self._created(credentials["id"])
            answer = _public(credentials)
            # Recorded create answers always name the file "user.creds" (see the README).
            answer["credentials"] = {"name": "user.creds", "content": credentials["_content"]}
            return httpx.Response(200, json=answer)
        if item_id is None or item_id not in store:
            return _not_found("nats_credentials", item_id)
        if method == "GET":
            return httpx.Response(200, json=_public(store[item_id]))
        if method == "DELETE":
            del store[item_id]
            return httpx.Response(204)
        return _error(405, "method_not_allowed", "method not allowed")


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _not_found(resource: str, resource_id: str | None) -> httpx.Response:
    return _error(
        404, "not_found", "resource is not found", resource=resource, resource_id=resource_id
    )


def _list(request: httpx.Request, items: list[dict[str, Any]], key: str) -> httpx.Response:
    params = request.url.params
    page = int(params.get("page", "1"))
    page_size = int(params.get("page_size", str(PAGE_SIZE_DEFAULT)))
    order = params.get("order_by", DEFAULT_ORDER)
    if order not in _ORDERS or not 1 <= page_size <= PAGE_SIZE_MAX or page < 1:
        return _error(400, "invalid_arguments", "invalid argument(s)")
    field, descending = _ORDERS[order]
    if field == "created_at":  # the store keeps creation order
        ordered = items[::-1] if descending else items
    else:
        ordered = sorted(items, key=lambda i: (i[field], i["_seq"]), reverse=descending)
    start = (page - 1) * page_size
    chunk = [_public(i) for i in ordered[start : start + page_size]]
    return httpx.Response(200, json={key: chunk, "total_count": len(items)})


def fast_policy(max_retries: int = 3, deadline: float = 60.0) -> RetryPolicy:
    """Retries without pauses: unit tests count attempts, not seconds. visibility_window=0:
    the fake lists a new resource at once (no lag to wait out)."""
    return RetryPolicy(
        max_retries=max_retries,
        backoff_base=0.0,
        backoff_max=0.0,
        deadline=deadline,
        visibility_window=0.0,
    )


def api_on_fake(fake: FakeScaleway, flavour: str = "sync", **kwargs: Any) -> NatsAPI | AsyncNatsAPI:
    """`NatsAPI` ("sync") or `AsyncNatsAPI` ("async") answered by `fake`, retrying at once."""
    kwargs.setdefault("retry_policy", fast_policy())
    kwargs.setdefault("secret_key", SECRET_KEY)
    kwargs.setdefault("project_id", PROJECT_ID)
    kwargs.setdefault("api_url", API_URL)
    if flavour == "sync":
        return NatsAPI(transport=httpx.MockTransport(fake.handler), **kwargs)
    return AsyncNatsAPI(transport=httpx.MockTransport(fake.async_handler), **kwargs)
