"""The emulator's API layers in-process, for unit tests of client logic: no model of our own.

``InProcessScaleway`` runs ``local/app.py`` over ``Service`` over an in-memory ``Store``
behind the emulator's fault layer (``local/faults.py``), on one event loop in a background
thread, with no nats-server (a ``Service`` with no cluster pushes nothing). Clients reach it
through ``transport()`` / ``async_transport()``: httpx's ``ASGITransport`` run on that loop.
What is here is wiring only: a request recorder, hooks, scripted faults, seeding through
``Service`` (not counted as requests), and the one mapping an ASGI app cannot do itself: an
injected dropped connection becomes the httpx exception the test asked for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx

from scaleway_nats import REGIONS, AsyncNatsAPI, NatsAPI, RetryPolicy
from scaleway_nats.facts import DEFAULT_ORDER
from scaleway_nats.local import jwt
from scaleway_nats.local.app import Api, application
from scaleway_nats.local.faults import Fault, FaultInjector, FaultStats, InjectedDrop
from scaleway_nats.local.service import Service
from scaleway_nats.local.store import Organization, Page, Store

API_URL = "https://scaleway.test"
SECRET_KEY = "11111111-2222-3333-4444-555555555555"
ORGANIZATION_ID = "5f0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
PROJECT_ID = "6b9c1c1e-5a0c-4f32-9a0d-3a1f4a3c2b10"
OTHER_PROJECT_ID = "0d5a5f0e-7f9b-4c4a-8f0e-2b3c4d5e6f70"  # the same organization's second
# Unit tests build many accounts; the quota's own tests set theirs (facts.MAX_ACCOUNTS).
QUOTA = 100_000
WAIT = 30.0  # seconds: no request or seeding step of a unit test takes near this
EVERYTHING = Page(1, 1_000_000, DEFAULT_ORDER)

T = TypeVar("T")
ExceptionFactory = Callable[..., BaseException]  # (message, request=) -> the error to raise


class LoopThread:
    """An event loop in a daemon thread: what the sync transport and the seeding run on."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop from another thread, waiting at most ``WAIT`` seconds."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=WAIT)

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """The same from a coroutine of another loop (the async client's)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), WAIT)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=WAIT)
        self.loop.close()


class InProcessScaleway:
    """One emulated organization (two projects) on the real API layers, plus test knobs."""

    api_url = API_URL
    secret_key = SECRET_KEY
    project_id = PROJECT_ID
    other_project_id = OTHER_PROJECT_ID

    def __init__(self, max_accounts: int = QUOTA) -> None:
        self.store = Store(None)
        self.store.add_organization(
            Organization(ORGANIZATION_ID, PROJECT_ID, "SCWTESTACCESSKEY0000", SECRET_KEY),
            created_at=_stamp(dt.datetime.now(dt.UTC)),
        )
        self.store.add_project(ORGANIZATION_ID, OTHER_PROJECT_ID)
        self.service = Service(self.store, jwt.Identity.generate("operator"), max_accounts)
        self.api = Api(self.service)
        self.faults = FaultInjector(application(self.api.routes()), 0.0, 0, FaultStats())
        self._asgi = httpx.ASGITransport(app=self.faults)
        self._loop = LoopThread()
        self._exceptions: dict[int, ExceptionFactory] = {}
        self._lock = threading.Lock()
        self.log: list[tuple[str, str, dict[str, str]]] = []  # (method, path, query)
        self.requests: Counter[tuple[str, str]] = Counter()  # (method, path) -> count
        # hooks: called with each request before it is sent on to the app
        self.on_request: Callable[[httpx.Request], None] | None = None
        self.async_delay: Callable[[httpx.Request], float] | None = None
        self.in_flight = 0
        self.max_in_flight = 0

    def close(self) -> None:
        self._loop.close()
        self.service.close()
        self.store.close()

    def __enter__(self) -> InProcessScaleway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- knobs -------------------------------------------------------------------------------

    @property
    def propagation_delay(self) -> float:
        return self.service.propagation_delay

    @propagation_delay.setter
    def propagation_delay(self, seconds: float) -> None:
        self.service.propagation_delay = seconds

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        exception: ExceptionFactory | None = None,
        after: bool = False,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Script the next `count` matching requests to fail, through the fault layer: with
        `status` (503 by default) and `body`, or with `exception` raised (a dropped
        connection); `after`: once the request was applied (its answer lost)."""
        for _ in range(count):
            fault = Fault(
                status=None if exception is not None else status or 503,
                committed=after,
                headers=tuple((headers or {}).items()),
                body=body,
                method=method,
                path_contains=path_contains,
            )
            if exception is not None:
                self._exceptions[id(fault)] = exception
            self.faults.script(fault)

    # -- what was asked ----------------------------------------------------------------------

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

    # -- the store, through Service (no request counted, no fault) ---------------------------

    def _caller(self) -> Any:
        return self.service.caller(SECRET_KEY)

    def add_account(
        self, name: str | None = None, project_id: str = PROJECT_ID, region: str = "fr-par"
    ) -> dict[str, Any]:
        create = self.service.create_account(self._caller(), region, project_id, name)
        return self.api.account_json(self._loop.run(create))

    def add_credentials(
        self, account_id: str, name: str | None = None, region: str = "fr-par"
    ) -> dict[str, Any]:
        create = self.service.create_credentials(self._caller(), region, account_id, name)
        return self.api.credentials_json(self._loop.run(create)[0])

    def delete_account(self, account_id: str, region: str = "fr-par") -> None:
        self._loop.run(self.service.delete_account(self._caller(), region, account_id))

    def backdate(self, item: dict[str, Any], minutes: float) -> None:
        """Make a stored account or credentials look created `minutes` ago."""
        moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
        self.store.set_created_at(item["id"], _stamp(moment))

    def fill(self, count: int, region: str = "fr-par") -> list[str]:
        """Add `count` accounts in creation order; return their ids."""
        return [self.add_account(region=region)["id"] for _ in range(count)]

    def account_ids(self, region: str = "fr-par") -> list[str]:
        return list(self.accounts[region])

    @property
    def accounts(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every stored account (visible yet or not) by region, then id, in creation order."""
        return self._by_region(
            lambda region, projects: [
                self.api.account_json(a)
                for a in self.store.list_accounts(region, projects, EVERYTHING)[1]
            ]
        )

    @property
    def credentials(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every stored credentials by region, then id, in creation order."""
        return self._by_region(
            lambda region, projects: [
                self.api.credentials_json(c)
                for c in self.store.list_credentials(region, projects, None, EVERYTHING)[1]
            ]
        )

    def _by_region(
        self, rows: Callable[[str, list[str]], list[dict[str, Any]]]
    ) -> dict[str, dict[str, dict[str, Any]]]:
        projects = self._caller().project_ids
        return {region: {row["id"]: row for row in rows(region, projects)} for region in REGIONS}

    # -- transports --------------------------------------------------------------------------

    def _record(self, request: httpx.Request) -> None:
        with self._lock:
            self.requests[(request.method, request.url.path)] += 1
            self.log.append((request.method, request.url.path, dict(request.url.params)))
        if self.on_request is not None:
            self.on_request(request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """On the loop: the app's answer, read whole (or the test's exception for a drop)."""
        try:
            response = await self._asgi.handle_async_request(request)
        except InjectedDrop as drop:
            dropped = drop.fault
        else:
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)
        # Raised outside the handler: the error keeps the cause its factory gave it, if any.
        raise self._exceptions.pop(id(dropped), httpx.ReadError)(
            "injected failure", request=request
        )

    def transport(self) -> httpx.BaseTransport:
        """For `NatsAPI(transport=...)`."""
        return _SyncTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """For `AsyncNatsAPI(transport=...)`."""
        return _AsyncTransport(self)


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, scaleway: InProcessScaleway) -> None:
        self.scaleway = scaleway

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.scaleway._record(request)
        return self.scaleway._loop.run(self.scaleway._send(request))


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, scaleway: InProcessScaleway) -> None:
        self.scaleway = scaleway

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        scaleway = self.scaleway
        await request.aread()
        scaleway.in_flight += 1
        scaleway.max_in_flight = max(scaleway.max_in_flight, scaleway.in_flight)
        try:
            if scaleway.async_delay is not None:
                await asyncio.sleep(scaleway.async_delay(request))
            scaleway._record(request)
            return await scaleway._loop.run_async(scaleway._send(request))
        finally:
            scaleway.in_flight -= 1


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fast_policy(max_retries: int = 3, deadline: float = 60.0) -> RetryPolicy:
    """Retries without pauses: unit tests count attempts, not seconds. visibility_window=0:
    the in-process API lists a new resource at once (no lag to wait out)."""
    return RetryPolicy(
        max_retries=max_retries,
        backoff_base=0.0,
        backoff_max=0.0,
        deadline=deadline,
        visibility_window=0.0,
    )


def api_on(
    scaleway: InProcessScaleway, flavour: str = "sync", **kwargs: Any
) -> NatsAPI | AsyncNatsAPI:
    """`NatsAPI` ("sync") or `AsyncNatsAPI` ("async") answered in-process, retrying at once."""
    kwargs.setdefault("retry_policy", fast_policy())
    kwargs.setdefault("secret_key", SECRET_KEY)
    kwargs.setdefault("project_id", PROJECT_ID)
    kwargs.setdefault("api_url", API_URL)
    if flavour == "sync":
        return NatsAPI(transport=scaleway.transport(), **kwargs)
    return AsyncNatsAPI(transport=scaleway.async_transport(), **kwargs)
