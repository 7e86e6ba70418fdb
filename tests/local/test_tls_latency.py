"""LocalScaleway(tls=True, latency_ms=N) and `local serve --tls --latency-ms N` (issue 13).

Real parts only: Hypercorn over TLS on loopback, the latency proxy, httpx with h2, the
official SDK, nats-servers. Delays are shown by the proxy's counters and a generous lower
bound on wall time, never an upper bound.
"""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from scaleway import Client as SdkClient
from scaleway.mnq.v1beta1 import MnqV1Beta1NatsAPI

from scaleway_nats.local import LocalScaleway
from tests.support.clients import async_api_on, sync_api_on
from tests.support.processes import run_captured
from tests.support.serve import SERVE_CLI, SERVE_MODULE, local_env, serving

ACCOUNTS = "/mnq/v1beta1/regions/fr-par/nats-accounts"
LATENCY_MS = 100.0


@pytest.fixture(scope="module")
def tls_env() -> Iterator[LocalScaleway]:
    with LocalScaleway(tls=True) as env:
        yield env


@pytest.fixture(scope="module")
def slow_env() -> Iterator[LocalScaleway]:
    with LocalScaleway(tls=True, latency_ms=LATENCY_MS) as env:
        yield env


def trusting(env: LocalScaleway) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=env.ca_file)


def raw(env: LocalScaleway, *, http2: bool) -> httpx.Client:
    return httpx.Client(
        base_url=env.api_url,
        headers={"X-Auth-Token": env.secret_key},
        verify=trusting(env),
        http2=http2,
    )


def test_api_over_https_negotiates_http2_and_still_serves_http1(tls_env: LocalScaleway) -> None:
    assert tls_env.api_url.startswith("https://127.0.0.1:")
    with raw(tls_env, http2=True) as h2, raw(tls_env, http2=False) as h1:
        created = h2.post(ACCOUNTS, json={"name": "over-h2"})
        listed = h1.get(ACCOUNTS)
    assert (created.status_code, created.http_version) == (200, "HTTP/2")
    assert (listed.status_code, listed.http_version) == (200, "HTTP/1.1")
    assert created.json()["id"] in [a["id"] for a in listed.json()["nats_accounts"]]


def test_certificate_is_signed_by_the_emulator_ca(tls_env: LocalScaleway) -> None:
    with (
        httpx.Client(base_url=tls_env.api_url) as untrusting,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        untrusting.get(ACCOUNTS)


def test_our_client_works_over_http2(tls_env: LocalScaleway) -> None:
    with sync_api_on(tls_env, verify=trusting(tls_env)) as api:
        account = api.create_account(name="h2-client")
        credentials = api.create_credentials(account, name="h2-creds")
        assert [c.id for c in api.list_credentials(account)] == [credentials.id]
        api.delete_account(account)


def test_official_sdk_works_over_https(
    tls_env: LocalScaleway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_env.ca_file)  # requests' way to trust a CA
    sdk = MnqV1Beta1NatsAPI(
        SdkClient(
            access_key=tls_env.access_key,
            secret_key=tls_env.secret_key,
            default_project_id=tls_env.project_id,
            default_region="fr-par",
            api_url=tls_env.api_url,
        )
    )
    account = sdk.create_nats_account(name="sdk-over-tls")
    assert sdk.get_nats_account(nats_account_id=account.id).name == "sdk-over-tls"
    sdk.delete_nats_account(nats_account_id=account.id)


def test_latency_is_paid_per_round_trip(slow_env: LocalScaleway) -> None:
    with raw(slow_env, http2=True) as client:
        client.get(ACCOUNTS)  # connection and TLS handshake first
        started = time.perf_counter()
        assert client.get(ACCOUNTS).status_code == 200
        elapsed = time.perf_counter() - started
    print(f"one round trip at {LATENCY_MS:.0f} ms one way: {elapsed * 1000:.0f} ms")
    assert elapsed >= 2 * LATENCY_MS / 1000 * 0.95  # lower bound only
    stats = slow_env.latency_stats
    assert stats is not None
    assert stats.connections >= 1
    assert stats.chunks >= 4  # handshake and both requests, both ways


async def test_concurrent_requests_overlap_their_delays(slow_env: LocalScaleway) -> None:
    async with async_api_on(slow_env, verify=trusting(slow_env)) as api:
        accounts = await asyncio.gather(*(api.create_account() for _ in range(3)))
        await asyncio.gather(*(api.delete_account(a) for a in accounts))
    stats = slow_env.latency_stats
    assert stats is not None
    assert stats.delayed_at_once >= 2  # several requests in the delay at once


def test_faults_over_http2_are_retried(tmp_path: Path) -> None:
    """Injected faults (503, 429, dropped connections, after-commit failures) reach an HTTP/2
    client as they do an HTTP/1.1 one: retried, nothing duplicated."""
    with LocalScaleway(tmp_path, tls=True, fault_rate=0.4, fault_seed=13) as env:
        with sync_api_on(env, verify=trusting(env)) as api:
            account = api.create_account(name="faulty")
            for _ in range(15):
                assert api.get_account(account).id == account.id
            assert [a.id for a in api.list_accounts()] == [account.id]
        assert env.stats["faults"] > 0


@pytest.mark.parametrize("latency_ms", [-1.0, 1000.5])
def test_latency_out_of_bounds_is_refused_before_starting(latency_ms: float) -> None:
    with pytest.raises(ValueError, match="latency_ms must be between 0 and 1000"):
        LocalScaleway(latency_ms=latency_ms)


@pytest.mark.parametrize("serve", [SERVE_MODULE, SERVE_CLI])
def test_serve_refuses_latency_out_of_bounds(serve: list[str], tmp_path: Path) -> None:
    done = run_captured([*serve, "--latency-ms", "5000", "--state-dir", str(tmp_path)])
    assert done.returncode == 2
    assert "--latency-ms" in done.stderr
    assert not (tmp_path / "emulator.sqlite3").exists()  # nothing was started


def test_serve_tls_with_latency_prints_an_https_url_and_local_env_reaches_it(
    tmp_path: Path,
) -> None:
    command = [*SERVE_CLI, "--tls", "--latency-ms", "5"]
    with serving([*command, "--state-dir", str(tmp_path)]) as started:
        process, info = started.proc, started.info
        try:
            assert info["api_url"].startswith("https://")
            context = ssl.create_default_context(cafile=info["ca_file"])
            with httpx.Client(verify=context, http2=True) as client:
                response = client.get(
                    info["api_url"] + ACCOUNTS, headers={"X-Auth-Token": info["secret_key"]}
                )
            assert (response.status_code, response.http_version) == (200, "HTTP/2")
            exported = local_env(str(tmp_path), "-o", "json", check=True)
            assert json.loads(exported.stdout)["SCW_API_URL"] == info["api_url"]
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0
