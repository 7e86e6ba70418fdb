"""Raw HTTP to the emulator (status codes and bodies as sent), NATS connections as a user makes
them, and .creds files: the emulator tests' helpers, also used by the reliability tests."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.aio.client import Client as NATS
from nats.aio.client import RawCredentials

from scaleway_nats import REGIONS  # one home for the regions (the spec's enum)
from scaleway_nats.local import LocalScaleway, Organization
from scaleway_nats.local.nats_server import SINGLE_ATTEMPT

__all__ = ["REGIONS", "RawApi", "as_read", "connect", "raw_api_on", "write_creds"]


class RawApi:
    """Thin httpx wrapper that knows the URL layout and raises nothing on 4xx/5xx."""

    def __init__(self, client: httpx.Client, project_id: str) -> None:
        self.client = client
        self.project_id = project_id

    def url(self, region: str, kind: str, resource_id: str | None = None) -> str:
        url = f"/mnq/v1beta1/regions/{region}/{kind}"
        return f"{url}/{resource_id}" if resource_id else url

    def create_account(self, region: str = "fr-par", **body: Any) -> dict[str, Any]:
        response = self.client.post(self.url(region, "nats-accounts"), json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def create_credentials(self, account: dict[str, Any], **body: Any) -> dict[str, Any]:
        response = self.client.post(
            self.url(account["region"], "nats-credentials"),
            json={"nats_account_id": account["id"], **body},
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def as_read(answer: dict[str, Any]) -> dict[str, Any]:
    """A create answer as a later get or list shows it: timestamps cut to microseconds (as
    recorded: tests/data/recordings/nats-credentials-update-name.cassette.yaml steps 2, 3)."""
    return {k: v[:26] + "Z" if k.endswith("_at") else v for k, v in answer.items()}


def raw_api_on(env: LocalScaleway, org: Organization) -> Iterator[RawApi]:
    """A `RawApi` with `org`'s secret key on `env`, closed when the generator is."""
    with httpx.Client(
        base_url=env.api_url, headers={"X-Auth-Token": org.secret_key}, timeout=10
    ) as client:
        yield RawApi(client, org.project_id)


@asynccontextmanager
async def connect(
    env: LocalScaleway, url: str, creds: dict[str, Any], **kwargs: Any
) -> AsyncIterator[NATS]:
    """Connect like a user would: the endpoint, the .creds content, TLS trusting ca_file."""
    nc = await nats.connect(
        url,
        user_credentials=RawCredentials(creds["credentials"]["content"]),
        tls=ssl.create_default_context(cafile=env.ca_file),
        connect_timeout=3,
        **{**SINGLE_ATTEMPT, **kwargs},
    )
    try:
        yield nc
    finally:
        if not nc.is_closed:
            await nc.close()


def write_creds(tmp_path: Path, creds: dict[str, Any]) -> Path:
    path = tmp_path / creds["credentials"]["name"]
    path.write_text(creds["credentials"]["content"])
    return path
