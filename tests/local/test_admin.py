"""The emulator-only admin routes (local/admin.py) in process: who may use them, and that they
are no part of the API under test (never faulted), on a single-node region too."""

from __future__ import annotations

import httpx

from scaleway_nats.local import LocalScaleway


def test_only_the_emulators_own_organization_breaks_nodes_and_faults_never_hit() -> None:
    # fault_rate=1: every API request fails; the admin routes are not the API under test.
    with LocalScaleway(fault_rate=1.0, fault_seed=1) as env, httpx.Client(timeout=60) as http:
        base = f"{env.api_url}/local/v1/regions/fr-par/nodes"
        own = {"X-Auth-Token": env.secret_key}
        api = http.get(f"{env.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts", headers=own)
        assert api.status_code in (429, 503)  # faulted, as asked (seed 1: not a drop)
        listed = http.get(base, headers=own)
        assert listed.status_code == 200
        assert listed.json() == {
            "region": "fr-par",
            "cluster_size": 1,
            "endpoint": env.regions["fr-par"],
            "nodes": [
                {
                    "index": 0,
                    "name": "scw-local-fr-par",
                    "url": env.regions["fr-par"],
                    "running": True,
                }
            ],
        }
        other = env.create_organization()
        refused = http.post(f"{base}/0/stop", headers={"X-Auth-Token": other.secret_key})
        assert refused.status_code == 403
        assert refused.json()["type"] == "permissions_denied"
        assert env.servers["fr-par"].nodes[0].running  # nothing changed
        # One node per region: it can be stopped and started too (its URL is kept).
        stopped = http.post(f"{base}/0/stop", headers=own)
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["node"]["running"] is False
        assert not env.servers["fr-par"].nodes[0].running
        started = http.post(f"{base}/0/start", headers=own)
        assert started.status_code == 200, started.text
        assert started.json()["node"]["url"] == env.regions["fr-par"]
        assert env.servers["fr-par"].nodes[0].running
        assert env.stats["requests"] == 1  # the admin requests were not even counted
