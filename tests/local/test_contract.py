"""Contract test: schemathesis drives spec/scaleway-nats-api.yaml against the emulator.

Every response check is on, with three adjustments the spec itself forces:

- ``status_code_conformance`` is off: Scaleway's spec documents only the success codes, while
  the real API (and so the emulator) answers the 400/401/403/404 errors described in prose;
- ``NatsCredentials.credentials`` may be null, as the live API answers Get and List;
- ``positive_data_acceptance`` also accepts 400: the spec types ids as plain strings and pages
  as any int32, but Scaleway rejects non-UUID ids and out-of-range pages with 400.

Half of the generated path ids are replaced by real ones (fresh ones for DELETE), so the
success paths are exercised too, not only "invalid id".
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from scaleway_nats.local import LocalScaleway

SPEC = Path(__file__).resolve().parents[2] / "spec" / "scaleway-nats-api.yaml"

schema = schemathesis.openapi.from_path(SPEC)
# The live API answers Get/List credentials with "credentials": null where the spec says
# object (scaleway/terraform-provider-scaleway internal/services/mnq/testdata/
# nats-credentials-basic.cassette.yaml): allow null for that one property.
_file = schema.raw_schema["components"]["schemas"]["scaleway.mnq.v1beta1.NatsCredentials"]
_file["properties"]["credentials"]["nullable"] = True
schema.config.checks.update(excluded_check_names=["status_code_conformance"])
schema.config.checks.positive_data_acceptance.expected_statuses = [
    "2xx",
    "400",
    "401",
    "403",
    "404",
]


class Resources:
    """Creates real accounts/credentials to point path ids at."""

    def __init__(self, env: LocalScaleway) -> None:
        self.headers = {"X-Auth-Token": env.secret_key}
        self.base = f"{env.api_url}/mnq/v1beta1/regions/fr-par"
        self.shared = self.fresh()

    def fresh(self) -> dict[str, str]:
        account = httpx.post(f"{self.base}/nats-accounts", json={}, headers=self.headers).json()
        creds = httpx.post(
            f"{self.base}/nats-credentials",
            json={"nats_account_id": account["id"]},
            headers=self.headers,
        ).json()
        return {"nats_account_id": account["id"], "nats_credentials_id": creds["id"]}


@pytest.fixture(scope="module")
def contract_env() -> Iterator[tuple[LocalScaleway, Resources]]:
    with LocalScaleway(max_accounts=10_000) as env:
        yield env, Resources(env)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_the_spec(case: Any, contract_env: tuple[LocalScaleway, Resources]) -> None:
    env, resources = contract_env
    params = case.path_parameters or {}
    for name in ("nats_account_id", "nats_credentials_id"):
        if name in params and zlib.crc32(repr(params[name]).encode()) % 2 == 0:
            ids = resources.fresh() if case.method == "DELETE" else resources.shared
            params[name] = ids[name]
    # Use the real token wherever the case carries one; a negative case without the header
    # must stay without it (the emulator then has to answer 401).
    if case.headers and "X-Auth-Token" in case.headers:
        case.headers["X-Auth-Token"] = env.secret_key
    case.call_and_validate(base_url=env.api_url)
