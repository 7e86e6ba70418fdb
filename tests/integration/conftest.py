"""The wrapper against the real emulator, through one adapter for the sync and async clients.

Each test is written once, as a coroutine, and runs twice: with `NatsAPI` and `AsyncNatsAPI`.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest

from scaleway_nats import AsyncNatsAPI, NatsAPI
from scaleway_nats.local import LocalScaleway


class Client:
    """Calls a method of either client and awaits it when it is a coroutine."""

    def __init__(self, api: NatsAPI | AsyncNatsAPI) -> None:
        self.api = api
        self.flavour = "async" if isinstance(api, AsyncNatsAPI) else "sync"

    async def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.api, method)(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def all(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Every item of a list_* call, iterated lazily with `for` or `async for`."""
        pager = getattr(self.api, method)(*args, **kwargs)
        if self.flavour == "async":
            return [item async for item in pager]
        return list(pager)


def make_api(flavour: str, env: LocalScaleway, **options: Any) -> NatsAPI | AsyncNatsAPI:
    cls = AsyncNatsAPI if flavour == "async" else NatsAPI
    settings = {"secret_key": env.secret_key, "project_id": env.project_id, "api_url": env.api_url}
    return cls(**{**settings, **options})


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, emulator: LocalScaleway) -> AsyncIterator[Client]:
    api = make_api(request.param, emulator)
    try:
        yield Client(api)
    finally:
        if isinstance(api, AsyncNatsAPI):
            await api.aclose()
        else:
            api.close()
