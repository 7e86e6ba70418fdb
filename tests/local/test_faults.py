"""Fault injection: at rate 1.0 every request fails, in every documented way, and is counted."""

from __future__ import annotations

import httpx

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
