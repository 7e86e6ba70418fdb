"""The emulator's fault layer, scripted: one-shot faults taken by the request they match,
ahead of the random draw (local/faults.py). What the unit tests' `fail_next` goes through."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from scaleway_nats.local.faults import Fault, FaultInjector, FaultStats, InjectedDrop


def injector(applied: list[str]) -> FaultInjector:
    """Rate 0 (no random fault) over an app that notes each request it processes."""

    async def handle(request: Request) -> JSONResponse:
        applied.append(f"{request.method} {request.url.path}")
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/{name}", handle, methods=["GET", "POST"])])
    return FaultInjector(app, 0.0, 0, FaultStats())


async def send(faults: FaultInjector, method: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=faults)) as client:
        return await client.request(method, f"http://test{path}")


async def test_a_scripted_fault_fails_only_the_first_request_it_matches() -> None:
    applied: list[str] = []
    faults = injector(applied)
    faults.script(Fault(429, headers=(("Retry-After", "3"),), method="post", path_contains="/b"))

    assert (await send(faults, "GET", "/b")).status_code == 200  # not its method
    assert (await send(faults, "POST", "/a")).status_code == 200  # not its path
    throttled = await send(faults, "POST", "/b")
    assert (await send(faults, "POST", "/b")).status_code == 200  # one shot

    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "3"
    assert throttled.json()["type"] == "too_many_requests"  # Scaleway's body by default
    assert applied == ["GET /b", "POST /a", "POST /b"]  # the faulted one never ran
    assert faults.scripted() == []
    assert faults.stats.snapshot()["scripted_faults"] == 1


async def test_a_committed_fault_runs_the_request_and_loses_its_answer() -> None:
    applied: list[str] = []
    faults = injector(applied)
    body = {"type": "permissions_denied", "message": "insufficient permissions"}
    faults.script(Fault(403, committed=True, body=body))

    lost = await send(faults, "POST", "/a")

    assert (lost.status_code, lost.json()) == (403, body)
    assert applied == ["POST /a"]


@pytest.mark.parametrize("committed", [False, True])
async def test_a_scripted_drop_says_which_fault_it_was(committed: bool) -> None:
    applied: list[str] = []
    faults = injector(applied)
    dropped = Fault(None, committed=committed)
    faults.script(dropped)

    with pytest.raises(InjectedDrop) as caught:
        await send(faults, "POST", "/a")

    assert caught.value.fault is dropped
    assert applied == (["POST /a"] if committed else [])


async def test_scripted_faults_go_before_the_random_draw_and_in_order() -> None:
    applied: list[str] = []
    faults = injector(applied)
    faults.rate = 1.0  # every request not scripted draws a random fault
    faults.script(Fault(502), Fault(504))

    statuses = [(await send(faults, "GET", "/a")).status_code for _ in range(2)]

    assert statuses == [502, 504]
    assert faults.stats.snapshot()["faults_by_kind"] == dict.fromkeys(faults.stats.by_kind, 0)
