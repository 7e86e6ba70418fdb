"""``read_lag``: the live API's intermittent read lag (``local/lag.py``), seeded and reproducible.

Shape from tests/data/recordings/nats-credentials-update-name.cassette.yaml: GETs of a resource
created a moment ago go 200 -> 404 -> 200; each such 404 names the *account* ("namespace"),
on a credentials GET too; writes never lag. Expected answers are computed from a ``ReadLag``
with the same seed, never hard-coded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scaleway_nats.local import LocalScaleway
from scaleway_nats.local.lag import RECORDED_RATE, ReadLag
from tests.support.http_api import RawApi, raw_api_on
from tests.support.serve import SERVE_CLI, serving

WINDOW = 60.0  # wide: every read of these tests is young, however slow the machine


def lag_body(account_id: str) -> dict[str, str]:
    return {
        "type": "not_found",
        "message": "resource is not found",
        "resource": "namespace",
        "resource_id": account_id,
    }


def reads(api: RawApi, url: str, count: int) -> list[httpx.Response]:
    return [api.client.get(url) for _ in range(count)]


@pytest.fixture
def lagging_api(request: pytest.FixtureRequest) -> Iterator[RawApi]:
    """An API on an emulator with ``read_lag=WINDOW`` and the test's other lag settings."""
    with LocalScaleway(read_lag=WINDOW, **request.param) as env:
        yield from raw_api_on(env, env.create_organization())


@pytest.mark.parametrize("lagging_api", [{"read_lag_seed": 7, "read_lag_rate": 0.3}], indirect=True)
def test_same_seed_same_answers_with_the_recorded_body(lagging_api: RawApi) -> None:
    """Reads of a new account and new credentials fail exactly where a ReadLag of the same
    seed says, each with the recorded body; the next read may succeed again."""
    twin = ReadLag(WINDOW, 0.3, 7)
    api = lagging_api
    account = api.create_account(name="lagging")
    creds = api.create_credentials(account, name="lagging-creds")
    answers = reads(api, api.url("fr-par", "nats-accounts", account["id"]), 20)
    answers += reads(api, api.url("fr-par", "nats-credentials", creds["id"]), 20)
    expected = [404 if twin.draw() else 200 for _ in answers]
    assert [a.status_code for a in answers] == expected
    assert 0 < expected.count(404) < len(expected)  # both shapes occur: 200 -> 404 -> 200
    for answer in answers:
        if answer.status_code == 404:
            assert answer.json() == lag_body(account["id"])  # the account, for creds too
            assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize("lagging_api", [{"read_lag_rate": 1.0}], indirect=True)
def test_writes_and_lists_never_lag(lagging_api: RawApi) -> None:
    api = lagging_api
    account = api.create_account()
    url = api.url("fr-par", "nats-accounts", account["id"])
    assert api.client.get(url).status_code == 404  # every young read lags at rate 1.0
    listed = api.client.get(api.url("fr-par", "nats-accounts")).json()
    assert [a["id"] for a in listed["nats_accounts"]] == [account["id"]]
    assert api.client.patch(url, json={"name": "renamed"}).status_code == 200
    creds = api.create_credentials(account)
    creds_url = api.url("fr-par", "nats-credentials", creds["id"])
    assert api.client.get(creds_url).json() == lag_body(account["id"])
    assert api.client.delete(creds_url).status_code == 204
    assert api.client.delete(url).status_code == 204


def test_old_resources_never_lag() -> None:
    with LocalScaleway(read_lag=2.0, read_lag_rate=1.0) as env:
        apis = raw_api_on(env, env.create_organization())  # kept: closing it closes the client
        api = next(apis)
        account = api.create_account()
        url = api.url("fr-par", "nats-accounts", account["id"])
        assert api.client.get(url).status_code == 404  # young: lags at rate 1.0
        creds = api.create_credentials(account)
        creds_url = api.url("fr-par", "nats-credentials", creds["id"])
        assert api.client.get(creds_url).status_code == 404
        time.sleep(2.1)  # past the window: the lag is over (an order, not a timing assert)
        assert {r.status_code for r in reads(api, url, 10)} == {200}
        assert {r.status_code for r in reads(api, creds_url, 10)} == {200}


@pytest.mark.parametrize(
    ("settings", "word"),
    [
        ({"read_lag": -1}, "read_lag"),
        ({"read_lag": 4000}, "read_lag"),
        ({"read_lag": 1, "read_lag_rate": 1.5}, "read_lag_rate"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, Any], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        LocalScaleway(**settings)


def test_default_rate_is_the_recorded_one() -> None:
    assert ReadLag(3.0).rate == RECORDED_RATE
    assert not ReadLag(0.0).lagging("2000-01-01T00:00:00.000000Z")


@pytest.mark.timeout(120)
def test_serve_takes_read_lag(tmp_path: Path) -> None:
    """`scw-nats local serve --read-lag S`: young reads lag as a ReadLag of seed 0 says."""
    with serving([*SERVE_CLI, "--state-dir", str(tmp_path), "--read-lag", "60"]) as started:
        info = started.info
        twin = ReadLag(60.0)
        with httpx.Client(
            base_url=info["api_url"], headers={"X-Auth-Token": info["secret_key"]}, timeout=30
        ) as client:
            api = RawApi(client, info["project_id"])
            account = api.create_account()
            answers = reads(api, api.url("fr-par", "nats-accounts", account["id"]), 30)
        expected = [404 if twin.draw() else 200 for _ in answers]
        assert [a.status_code for a in answers] == expected
        assert 404 in expected
