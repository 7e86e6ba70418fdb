"""Issue 14 from the command line: `local serve --cluster 3` and `local node stop|kill|start`
against that real serve process, over its emulator-only admin routes (local/admin.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from scaleway_nats import NatsAPI
from scaleway_nats.cli import cli
from scaleway_nats.nats import connect
from tests.support.processes import nats_server_pids, wait_dead
from tests.support.serve import SERVE_CLI, start

SCW_NATS = str(Path(sys.executable).parent / "scw-nats")
SPEC = Path(__file__).resolve().parents[2] / "spec" / "scaleway-nats-api.yaml"


class Serve:
    """A running `scw-nats local serve --cluster 3` and what it printed."""

    def __init__(self, proc: subprocess.Popen[str], info: dict[str, Any], state: Path) -> None:
        self.proc, self.info, self.state = proc, info, state

    def node(self, *args: str) -> Result:
        """`scw-nats local node ARGS --state-dir STATE` (in-process; real HTTP to the serve)."""
        return CliRunner().invoke(cli, ["local", "node", *args, "--state-dir", str(self.state)])

    def admin(self, method: str, path: str, token: str | None = None) -> httpx.Response:
        headers = {"X-Auth-Token": token} if token is not None else {}
        url = f"{self.info['api_url']}/local/v1/regions/{path}"
        return httpx.request(method, url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    state = tmp_path_factory.mktemp("cluster-serve")
    started = time.perf_counter()
    served = start([*SERVE_CLI, "--cluster", "3", "--state-dir", str(state)])
    proc, info = served.proc, served.info
    try:
        print(f"`local serve --cluster 3` ready in {time.perf_counter() - started:.2f} s")
        yield Serve(proc, info, state)
        servers = nats_server_pids(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert wait_dead(servers, 10) == []
    finally:
        served.close()


def test_serve_cluster_reports_three_nodes_per_region(serve: Serve) -> None:
    info = serve.info
    assert info["cluster_size"] == 3
    assert set(info["nodes"]) == {"fr-par", "nl-ams"}
    urls = [url for region in info["nodes"].values() for url in region]
    assert len(urls) == 6 and len(set(urls)) == 6
    assert all(url.startswith("nats://127.0.0.1:") for url in urls)
    # one endpoint per region, which is none of its nodes (the cluster's front)
    for region, endpoint in info["regions"].items():
        assert endpoint not in info["nodes"][region]
    assert len(nats_server_pids(serve.proc.pid)) == 6
    kept = json.loads((serve.state / "serve.json").read_text())
    assert kept["nodes"] == info["nodes"] and kept["cluster_size"] == 3


async def _round_trip(account: Any, creds: Any, ca_file: str, subject: str) -> None:
    """A fresh connection through the account's endpoint: publish and receive one message."""
    nc = await connect(account, creds, ca_file)
    try:
        sub = await nc.subscribe(subject)
        await nc.flush()
        await nc.publish(subject, b"ping")
        assert (await sub.next_msg(timeout=5)).data == b"ping"
    finally:
        await nc.close()


async def test_kill_then_start_from_the_cli_while_clients_connect(serve: Serve) -> None:
    info = serve.info
    settings = {k: info[k] for k in ("secret_key", "project_id", "api_url")}
    with NatsAPI(**settings) as api:
        account = api.create_account(name="failover-cli")
        try:
            creds = api.create_credentials(account)
            assert account.endpoint == info["regions"]["fr-par"]
            await _round_trip(account, creds, info["ca_file"], "before")

            killed = serve.node("kill", "fr-par", "1", "-o", "json")
            assert killed.exit_code == 0, killed.output
            done = json.loads(killed.stdout)
            assert done["action"] == "kill" and done["region"] == "fr-par"
            assert done["node"] == {
                "index": 1,
                "name": "scw-local-fr-par-1",
                "url": info["nodes"]["fr-par"][1],
                "running": False,
            }
            print(f"kill fr-par 1: the cluster noticed in {done['seconds']:.3f} s")
            assert len(nats_server_pids(serve.proc.pid)) == 5
            listed = serve.node("list", "fr-par", "-o", "json")
            assert [n["running"] for n in json.loads(listed.stdout)["nodes"]] == [
                True,
                False,
                True,
            ]
            # The endpoint hands every new connection to a live node: each one works.
            for attempt in range(4):
                await _round_trip(account, creds, info["ca_file"], f"during.{attempt}")

            started = serve.node("start", "fr-par", "1")  # the people's output
            assert started.exit_code == 0, started.output
            assert started.stdout.startswith("started node 1 of fr-par (nats://127.0.0.1:")
            assert "rejoined its cluster in" in started.stdout
            print(started.stdout.strip())
            assert len(nats_server_pids(serve.proc.pid)) == 6
            for attempt in range(4):
                await _round_trip(account, creds, info["ca_file"], f"after.{attempt}")
        finally:
            api.delete_account(account)


def test_the_api_keeps_serving_while_a_node_starts(serve: Serve) -> None:
    """The blocking start runs off the event loop: API requests are answered meanwhile.

    Counted from when the node's process exists (the route is running) until the route
    answers; were the event loop blocked, at most the one request in flight would be.
    """
    assert serve.node("kill", "nl-ams", "1").exit_code == 0
    answers: list[httpx.Response] = []
    key = serve.info["secret_key"]
    action = threading.Thread(
        target=lambda: answers.append(serve.admin("POST", "nl-ams/nodes/1/start", key))
    )
    url = f"{serve.info['api_url']}/mnq/v1beta1/regions/nl-ams/nats-accounts"
    served, slowest, spawned = 0, 0.0, False
    with httpx.Client(headers={"X-Auth-Token": key}, timeout=10) as http:
        action.start()
        for _ in range(100_000):  # bounded: the start itself is bounded by its timeouts
            spawned = spawned or len(nats_server_pids(serve.proc.pid)) == 6
            begun = time.perf_counter()
            assert http.get(url).status_code == 200
            if not action.is_alive():
                break
            if spawned:
                served += 1
                slowest = max(slowest, time.perf_counter() - begun)
        action.join(200)
    assert answers and answers[0].status_code == 200, answers
    seconds = answers[0].json()["seconds"]
    print(f"{served} API requests answered in a {seconds:.2f} s start, slowest {slowest:.4f} s")
    assert served >= 2


def test_stop_is_clean_and_start_of_a_running_node_changes_nothing(serve: Serve) -> None:
    stopped = serve.node("stop", "nl-ams", "2", "-o", "json")
    assert stopped.exit_code == 0, stopped.output
    assert json.loads(stopped.stdout)["node"]["running"] is False
    for _ in range(2):  # the second start finds it running: it is left as it is
        started = serve.node("start", "nl-ams", "2", "-o", "json")
        assert started.exit_code == 0, started.output
        assert json.loads(started.stdout)["node"]["running"] is True
    assert len(nats_server_pids(serve.proc.pid)) == 6


def test_bad_arguments_get_one_line_and_change_nothing(serve: Serve) -> None:
    out_of_range = serve.node("kill", "fr-par", "3")
    assert out_of_range.exit_code == 1
    assert out_of_range.output == (
        "Error: the emulator refused (400): index: must be an integer from 0 to 2\n"
    )
    bad_region = serve.node("kill", "fr-mrs", "1")
    assert bad_region.exit_code == 2
    assert "Invalid value for 'REGION': 'fr-mrs' is not one of 'fr-par', 'nl-ams'" in (
        bad_region.output
    )
    negative = serve.node("stop", "fr-par", "-1")
    assert negative.exit_code == 2  # click: not an option, and not >= 0
    # Straight to the route: every bad argument named, with what it allows.
    response = serve.admin("POST", "xx-yyy/nodes/7/reboot", serve.info["secret_key"])
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_arguments",
        "message": "invalid argument(s)",
        "details": [
            {
                "argument_name": "region",
                "reason": "constraint",
                "help_message": "must be one of fr-par, nl-ams",
            },
            {
                "argument_name": "index",
                "reason": "constraint",
                "help_message": "must be an integer from 0 to 2",
            },
            {
                "argument_name": "action",
                "reason": "constraint",
                "help_message": "must be one of stop, kill, start",
            },
        ],
    }
    assert serve.admin("GET", "fr-par/nodes/1/stop", serve.info["secret_key"]).status_code == 405
    assert len(nats_server_pids(serve.proc.pid)) == 6  # nothing was stopped


def test_admin_routes_refuse_a_wrong_or_missing_token(serve: Serve) -> None:
    for token in (None, "", "not-the-key", "00000000-0000-0000-0000-000000000000"):
        response = serve.admin("POST", "fr-par/nodes/0/kill", token)
        assert response.status_code == 401, token
        assert response.json()["type"] == "denied_authentication"
        assert serve.admin("GET", "fr-par/nodes", token).status_code == 401
    assert len(nats_server_pids(serve.proc.pid)) == 6


def test_no_admin_route_is_in_the_scaleway_spec() -> None:
    """The admin routes are the emulator's own: Scaleway's API has no such path."""
    paths = list(yaml.safe_load(SPEC.read_text(encoding="utf-8"))["paths"])
    assert paths and not [p for p in paths if p.startswith("/local")]


def test_help_and_a_bad_cluster_size_before_anything_starts(tmp_path: Path) -> None:
    # A subcommand's --help exits 0 (click's Exit is a RuntimeError: it was once reported
    # as "Error: 0" with exit code 1).
    helped = CliRunner().invoke(cli, ["local", "node", "kill", "--help"])
    assert helped.exit_code == 0, helped.output
    assert "Usage: cli local node kill [OPTIONS] REGION INDEX" in helped.output
    serve_help = CliRunner().invoke(cli, ["local", "serve", "--help"])
    assert serve_help.exit_code == 0 and "--cluster" in serve_help.output
    for bad in ("0", "6", "three"):
        refused = CliRunner().invoke(
            cli, ["local", "serve", "--cluster", bad, "--state-dir", str(tmp_path)]
        )
        assert refused.exit_code == 2
        assert "Invalid value for '--cluster'" in refused.output
        assert "1<=x<=5" in refused.output or "is not a valid integer" in refused.output
    assert list(tmp_path.iterdir()) == []  # nothing was started nor written
