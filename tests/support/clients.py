"""Our clients bound to a running emulator, sync or async (the integration tests run each test
with both, through tests/flavoured.py)."""

from __future__ import annotations

from typing import Any

from scaleway_nats import AsyncNatsAPI, NatsAPI
from scaleway_nats.local import LocalScaleway


def api_on_emulator(flavour: str, env: LocalScaleway, **options: Any) -> NatsAPI | AsyncNatsAPI:
    """`NatsAPI` ("sync") or `AsyncNatsAPI` ("async") with `env`'s key, project and URL."""
    cls = AsyncNatsAPI if flavour == "async" else NatsAPI
    settings = {"secret_key": env.secret_key, "project_id": env.project_id, "api_url": env.api_url}
    return cls(**{**settings, **options})
