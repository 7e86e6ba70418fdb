"""Fixtures of the unit tests: the emulator's API layers in-process (tests/support/in_process.py)
and clients answered by them; no SCW_* variable or config file of the developer reaches a test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scaleway_nats import NatsAPI
from tests.flavoured import Flavoured
from tests.support.in_process import (
    API_URL,
    PROJECT_ID,
    SECRET_KEY,
    InProcessScaleway,
    api_on,
    fast_policy,
)

# Tests written before tests/support/ imported these from here: the names still work.
make_api = api_on
__all__ = ["API_URL", "PROJECT_ID", "SECRET_KEY", "InProcessScaleway", "fast_policy", "make_api"]


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SCW_* variable or real config file of the developer reaches a test."""
    for name in list(os.environ):
        if name.startswith("SCW_"):
            monkeypatch.delenv(name)
    config = tmp_path / "scw-config.yaml"
    monkeypatch.setenv("SCW_CONFIG_PATH", str(config))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return config


@pytest.fixture
def fake() -> Iterator[InProcessScaleway]:
    """The API the unit tests' clients talk to (named `fake` since it replaced a fake)."""
    scaleway = InProcessScaleway()
    yield scaleway
    scaleway.close()


@pytest.fixture
def api(fake: InProcessScaleway) -> Iterator[NatsAPI]:
    client = api_on(fake, "sync")
    assert isinstance(client, NatsAPI)
    yield client
    client.close()


def _test_clock(request: pytest.FixtureRequest) -> dict[str, Any]:
    """`clock=` for the clients a test builds, when it asks for the `clock` fixture."""
    if "clock" in request.fixturenames:
        return {"clock": request.getfixturevalue("clock")}
    return {}


@pytest.fixture(params=["sync", "async"])
async def client(request: pytest.FixtureRequest, fake: InProcessScaleway) -> Any:
    flavoured = Flavoured(api_on(fake, request.param, **_test_clock(request)), fake)
    yield flavoured
    await flavoured.close()


@pytest.fixture
async def flavoured_factory(request: pytest.FixtureRequest, fake: InProcessScaleway) -> Any:
    """Build more Flavoured clients with custom arguments (closed at teardown)."""
    made: list[Flavoured] = []
    defaults = _test_clock(request)

    def build(flavour: str, **kwargs: Any) -> Flavoured:
        flavoured = Flavoured(api_on(fake, flavour, **{**defaults, **kwargs}), fake)
        made.append(flavoured)
        return flavoured

    yield build
    for flavoured in made:
        await flavoured.close()
