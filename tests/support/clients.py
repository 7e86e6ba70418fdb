"""Our clients bound to a running emulator, sync or async (the integration tests run each test
with both, through tests/flavoured.py), and the quickstart run against one."""

from __future__ import annotations

from typing import Any

from scaleway_nats import AsyncNatsAPI, NatsAPI
from scaleway_nats.local import LocalScaleway
from scaleway_nats.quickstart import QuickstartResult, quickstart


def sync_api_on(env: LocalScaleway, **options: Any) -> NatsAPI:
    """`NatsAPI` with `env`'s key, project and URL (`options` add to or replace them)."""
    return NatsAPI(**{**_settings(env), **options})


def async_api_on(env: LocalScaleway, **options: Any) -> AsyncNatsAPI:
    """`AsyncNatsAPI` with `env`'s key, project and URL (`options` add to or replace them)."""
    return AsyncNatsAPI(**{**_settings(env), **options})


def api_on_emulator(flavour: str, env: LocalScaleway, **options: Any) -> NatsAPI | AsyncNatsAPI:
    """`NatsAPI` ("sync") or `AsyncNatsAPI` ("async") with `env`'s key, project and URL."""
    return (async_api_on if flavour == "async" else sync_api_on)(env, **options)


def _settings(env: LocalScaleway) -> dict[str, Any]:
    return {"secret_key": env.secret_key, "project_id": env.project_id, "api_url": env.api_url}


def quickstart_on(env: LocalScaleway, **options: Any) -> QuickstartResult:
    """`quickstart()` against `env`, as a user with its settings would run it (`local=False`:
    never an emulator of its own)."""
    return quickstart(
        local=False,
        secret_key=env.secret_key,
        project_id=env.project_id,
        api_url=env.api_url,
        **options,
    )
