"""Constructors, per-call options and what a failure's traceback shows."""

from __future__ import annotations

import importlib.util
import inspect
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from scaleway_nats import AsyncNatsAPI, ConfigurationError, NatsAPI, ServerError, TransportError
from tests.support.in_process import API_URL, PROJECT_ID, SECRET_KEY, InProcessScaleway, api_on


async def settle(value: Any) -> Any:
    """`value`, awaited when the client is the async one."""
    return await value if inspect.isawaitable(value) else value


@pytest.mark.parametrize("cls", [NatsAPI, AsyncNatsAPI])
def test_constructors_spell_out_their_arguments(cls: type[Any]) -> None:
    parameters = inspect.signature(cls).parameters
    kinds = {p.kind for p in parameters.values()}

    assert inspect.Parameter.VAR_POSITIONAL not in kinds
    assert inspect.Parameter.VAR_KEYWORD not in kinds
    assert {"secret_key", "timeout", "max_retries", "transport", "http2", "clock"} <= set(
        parameters
    )
    assert parameters["http2"].default is None  # on where h2 is installed (issue 13)


def test_the_transport_is_typed_per_flavour() -> None:
    sync = inspect.signature(NatsAPI).parameters["transport"].annotation
    asynchronous = inspect.signature(AsyncNatsAPI).parameters["transport"].annotation

    assert "httpx.BaseTransport" in str(sync) and "Async" not in str(sync)
    assert "httpx.AsyncBaseTransport" in str(asynchronous)


def test_http2_without_h2_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # h2 is a dependency, so hide it: find_spec answers as in an environment without it.
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "h2" else real_find_spec(name, *args),
    )
    with pytest.raises(ConfigurationError, match=r"httpx\[http2\]"):
        NatsAPI(secret_key=SECRET_KEY, project_id=PROJECT_ID, api_url=API_URL, http2=True)


async def test_with_options_shares_the_pool_and_changes_the_limits(
    client: Any, fake: InProcessScaleway
) -> None:
    account = fake.add_account()
    patient = client.api.with_options(max_retries=0, timeout=5.0)
    fake.fail_next(1, status=503)

    with pytest.raises(ServerError, match="503"):
        await settle(patient.get_account(account["id"]))
    got = await client.call("get_account", account["id"])  # the original still retries

    assert got.id == account["id"]
    assert type(patient) is type(client.api)
    assert patient._requester.http is client.api._requester.http  # one connection pool
    assert patient._requester.timeout == 5.0
    assert client.stats["requests"] == 2  # statistics shared too


def _frames(error: BaseException) -> list[str]:
    """'file:function' of each frame of `error` and of its causes."""
    found: list[str] = []
    while error is not None:
        for frame in traceback.extract_tb(error.__traceback__):
            found.append(f"{Path(frame.filename).as_posix()}:{frame.name}")
        error = error.__cause__  # type: ignore[assignment]
    return found


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_failure_shows_the_call_the_wrapper_and_httpx_only(
    fake: InProcessScaleway, flavour: str
) -> None:
    account = fake.add_account()
    fake.fail_next(10, exception=httpx.ConnectError)
    api = api_on(fake, flavour)
    try:
        with pytest.raises(TransportError) as caught:
            await settle(api.get_account(account["id"]))
    finally:
        await settle(api.close() if isinstance(api, NatsAPI) else api.aclose())

    frames = _frames(caught.value)
    print("\n".join(frames))
    assert frames[0].endswith(":test_a_failure_shows_the_call_the_wrapper_and_httpx_only")
    assert any(f.endswith(f"_{flavour}/client.py:get_account") for f in frames)
    assert any("/httpx/" in f for f in frames)
    wrapper = [f for f in frames if "/scaleway_nats/" in f]
    allowed = (f"_{flavour}/client.py", f"_{flavour}/requester.py", "_backend.py")
    assert all(f.split("/scaleway_nats/")[1].startswith(allowed) for f in wrapper), wrapper
