"""Fault injection: at rate 1.0 every request fails, in every documented way, and is counted."""

from __future__ import annotations

from contextlib import suppress

import httpx
import pytest

from scaleway_nats.local import LocalScaleway


def test_fault_rate_one_yields_only_faults() -> None:
    kinds_seen: set[str] = set()
    with LocalScaleway(fault_rate=1.0, fault_seed=7) as env:
        base = f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts"
        headers = {"X-Auth-Token": env.secret_key}
        for i in range(60):
            method = "POST" if i % 2 else "GET"
            try:
                with httpx.Client(headers=headers, timeout=5) as client:
                    response = client.request(method, base, json={"name": f"n{i}"})
            except httpx.TransportError:
                kinds_seen.add("dropped")
                continue
            assert response.status_code in (429, 503), response.text
            if response.status_code == 429:
                assert response.headers["retry-after"] == "1"
                assert response.json()["type"] == "too_many_requests"
            else:
                assert response.json()["type"] == "service_unavailable"
            kinds_seen.add(str(response.status_code))
        stats = env.stats
        assert stats["requests"] == 60
        assert stats["faults"] == 60
        assert sum(stats["faults_by_kind"].values()) == 60
        assert all(stats["faults_by_kind"][k] > 0 for k in stats["faults_by_kind"])
        # Some POSTs were committed before failing: the ambiguous case is real.
        committed = env._require_store().count_accounts([env.project_id])
        after_commit = (
            stats["faults_by_kind"]["committed_unavailable"]
            + stats["faults_by_kind"]["committed_dropped"]
        )
        assert committed == min(after_commit, env.max_accounts)
    assert kinds_seen == {"429", "503", "dropped"}


def test_no_faults_by_default(emulator: LocalScaleway) -> None:
    before = emulator.stats
    response = httpx.get(
        f"{emulator.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts",
        headers={"X-Auth-Token": emulator.secret_key},
    )
    assert response.status_code == 200
    after = emulator.stats
    assert after["requests"] == before["requests"] + 1
    assert after["faults"] == 0


def test_a_dropped_answer_over_http2_breaks_the_stream_instead_of_stalling() -> None:
    """Over HTTPS with HTTP/2, a `dropped` fault ends the stream short of its content-length
    (what a cut response looks like to the client), instead of leaving it open until the
    client's read timeout: a drop, not a silence (the production-like profile runs HTTP/2)."""
    import ssl

    with LocalScaleway(tls=True, fault_rate=1.0, fault_seed=5) as env:  # seed 5: first, a drop
        verify = ssl.create_default_context(cafile=env.ca_file)
        with httpx.Client(http2=True, verify=verify, timeout=5) as client:
            url = f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts"
            # h2's InvalidBodyLengthError (httpx does not map it), not a ReadTimeout
            with pytest.raises(Exception, match="Expected 64 bytes, received 0"):
                client.get(url, headers={"X-Auth-Token": env.secret_key})
            assert env.stats["faults_by_kind"]["dropped"] == 1


def test_a_dropped_answer_over_https_http1_logs_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A deliberate drop is no server error: Hypercorn's "Error in ASGI Framework" traceback
    for it is filtered, as uvicorn's is (creates travel over HTTP/1.1, so the chaos suite's
    `committed_dropped` faults printed one per drop)."""
    import ssl

    with LocalScaleway(tls=True, fault_rate=1.0, fault_seed=5) as env:  # seed 5: first, a drop
        verify = ssl.create_default_context(cafile=env.ca_file)
        with httpx.Client(http2=False, verify=verify, timeout=5) as client:
            url = f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts"
            with pytest.raises(httpx.TransportError):
                client.get(url, headers={"X-Auth-Token": env.secret_key})
            assert env.stats["faults_by_kind"]["dropped"] == 1
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert tracebacks == []


def test_hypercorn_logs_no_traceback_for_a_recycled_connections_tls_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hypercorn reports a recycled HTTP/1.1 connection whose TLS close crossed the client's
    last bytes as "Error in ASGI Framework" with SSL's APPLICATION_DATA_AFTER_CLOSE_NOTIFY (seen
    in a chaos run): a normal end, not logged as an error. A real error still is."""
    import ssl

    from scaleway_nats.local.https import server_log

    for error in (ssl.SSLError(1, "[SSL: APPLICATION_DATA_AFTER_CLOSE_NOTIFY]"), KeyError("bug")):
        try:
            raise error
        except Exception:
            server_log.exception("Error in ASGI Framework")
    assert [r.exc_info[1].__class__ for r in caplog.records if r.exc_info] == [KeyError]


def test_a_fault_answered_before_a_large_body_arrived_logs_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A fault answered before the request's body has arrived closes an HTTP/2 stream the
    client is still sending on; Hypercorn then fails the whole connection on the late DATA
    frames with an unhandled KeyError (pgjones/hypercorn#329, open PRs #312/#334; seen in a
    chaos run). The fault layer reads the body first, as a real gateway's 503 is answered."""
    import ssl

    body = {"name": "x" * 300_000, "project_id": "p"}  # many DATA frames, under the 1 MiB cap
    with LocalScaleway(tls=True, fault_rate=1.0, fault_seed=1) as env:
        verify = ssl.create_default_context(cafile=env.ca_file)
        url = f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts"
        for _ in range(6):
            # a dropped answer raises; the others are 503, 429 or the app's 400
            with (
                httpx.Client(http2=True, verify=verify, timeout=5) as client,
                suppress(httpx.HTTPError),
            ):
                client.post(url, json=body, headers={"X-Auth-Token": env.secret_key})
        kinds = env.stats["faults_by_kind"]
    assert kinds["unavailable"] + kinds["throttled"] >= 1  # answered before the app ran
    tracebacks = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info]
    assert tracebacks == []
