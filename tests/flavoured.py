"""One adapter over NatsAPI and AsyncNatsAPI: a test written once, as a coroutine, runs with
either client (unit tests against the in-process API, integration tests against the emulator)."""

from __future__ import annotations

import inspect
import itertools
from typing import Any

from scaleway_nats import AsyncNatsAPI, AsyncPager, NatsAPI, Pager


class Flavoured:
    """Calls a method of either client and awaits it when it is a coroutine."""

    def __init__(self, api: NatsAPI | AsyncNatsAPI, fake: Any = None) -> None:
        self.api = api
        self.flavour = "async" if isinstance(api, AsyncNatsAPI) else "sync"
        self.fake = fake  # the unit tests' InProcessScaleway, when there is one

    @property
    def stats(self) -> dict[str, int]:
        return dict(self.api.stats)

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.api, method)(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    __call__ = call

    async def all(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Every item of a list_* call, iterated lazily with `for` or `async for`."""
        return await self.collect(getattr(self.api, method)(*args, **kwargs))

    async def collect(self, pager: Pager[Any] | AsyncPager[Any]) -> list[Any]:
        """Every item, by plain iteration (`for` / `async for`)."""
        if isinstance(pager, Pager):
            return [item for item in pager]
        return [item async for item in pager]

    async def take(self, pager: Pager[Any] | AsyncPager[Any], count: int) -> list[Any]:
        """The first `count` items of a pager, consuming no more than that."""
        if isinstance(pager, Pager):
            return list(itertools.islice(iter(pager), count))
        iterator = aiter(pager)
        taken = []
        try:
            for _ in range(count):
                taken.append(await anext(iterator))
        except StopAsyncIteration:
            pass
        finally:
            await iterator.aclose()  # type: ignore[attr-defined]
        return taken

    async def pager_call(self, pager: Pager[Any] | AsyncPager[Any], method: str, *args: Any) -> Any:
        result = getattr(pager, method)(*args)
        return await result if inspect.isawaitable(result) else result

    async def close(self) -> None:
        if isinstance(self.api, NatsAPI):
            self.api.close()
        else:
            await self.api.aclose()
