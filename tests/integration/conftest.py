"""The wrapper against the real emulator, through the one adapter for the sync and async
clients (tests/flavoured.py).

Each test is written once, as a coroutine, and runs twice: with `NatsAPI` and `AsyncNatsAPI`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from scaleway_nats.local import LocalScaleway
from tests.flavoured import Flavoured
from tests.support.clients import api_on_emulator


@pytest.fixture
def cli_env(emulator: LocalScaleway, monkeypatch: pytest.MonkeyPatch) -> LocalScaleway:
    """The emulator's settings in SCW_* variables, as a user of the CLI would set them."""
    monkeypatch.setenv("SCW_SECRET_KEY", emulator.secret_key)
    monkeypatch.setenv("SCW_DEFAULT_PROJECT_ID", emulator.project_id)
    monkeypatch.setenv("SCW_API_URL", emulator.api_url)
    return emulator


@pytest.fixture(params=["sync", "async"])
async def client(
    request: pytest.FixtureRequest, emulator: LocalScaleway
) -> AsyncIterator[Flavoured]:
    flavoured = Flavoured(api_on_emulator(request.param, emulator))
    try:
        yield flavoured
    finally:
        await flavoured.close()
