"""``python -m scaleway_nats.local``: one JSON line, working API, clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx
import nats.js.errors
import pytest

from scaleway_nats import NatsAPI
from scaleway_nats.nats import connect
from tests.support.processes import nats_server_pids, wait_dead
from tests.support.serve import SERVE_CLI, SERVE_MODULE, serving

KEYS = {
    "api_url",
    "secret_key",
    "access_key",
    "organization_id",
    "project_id",
    "ca_file",
    "regions",
    "cluster_size",
    "nodes",
}


SERVE_COMMANDS = {"module": SERVE_MODULE, "cli": SERVE_CLI}


@pytest.mark.parametrize("command", sorted(SERVE_COMMANDS))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_one_json_line_and_stops_cleanly(
    tmp_path: Path, sig: signal.Signals, command: str
) -> None:
    with serving(
        [*SERVE_COMMANDS[command], "--state-dir", str(tmp_path)], stderr=subprocess.PIPE
    ) as started:
        proc, info = started.proc, started.info
        assert proc.stdout is not None
        assert set(info) == KEYS
        assert set(info["regions"]) == {"fr-par", "nl-ams"}
        assert Path(info["ca_file"]).exists()
        response = httpx.get(
            f"{info['api_url']}/mnq/v1beta1/regions/nl-ams/nats-accounts",
            headers={"X-Auth-Token": info["secret_key"]},
        )
        assert response.json() == {"total_count": 0, "nats_accounts": []}
        servers = nats_server_pids(proc.pid)
        assert len(servers) == 2
        proc.send_signal(sig)
        assert proc.wait(15) == 0
        assert proc.stdout.read() == ""  # exactly one line on stdout
        assert proc.stderr is not None
        assert info["secret_key"] not in proc.stderr.read()  # never log the secret
        assert wait_dead(servers, 5) == []


def test_children_die_with_a_killed_parent(tmp_path: Path) -> None:
    with serving([*SERVE_MODULE, "--state-dir", str(tmp_path)]) as started:
        proc = started.proc
        json.loads(started.line)
        servers = nats_server_pids(proc.pid)
        assert len(servers) == 2
        proc.kill()  # SIGKILL: no cleanup code runs in the parent
        proc.wait(5)
        assert wait_dead(servers, 5) == []


async def test_serve_takes_the_jetstream_limits(tmp_path: Path) -> None:
    """`--max-streams 1 --max-payload 1024`: the account's second stream is refused, and the
    server announces the smaller payload."""
    limits = ["--max-streams", "1", "--max-payload", "1024"]
    with serving([*SERVE_CLI, "--state-dir", str(tmp_path), *limits]) as started:
        proc, info = started.proc, started.info
        settings = {k: info[k] for k in ("secret_key", "project_id", "api_url")}
        with NatsAPI(**settings) as api:
            account = api.create_account(name="limits")
            creds = api.create_credentials(account)
            nc = await connect(account, creds, info["ca_file"])
            try:
                assert nc.max_payload == 1024
                js = nc.jetstream(timeout=5)
                await js.add_stream(name="ONE", subjects=["one.>"])
                with pytest.raises(nats.js.errors.APIError, match="maximum number of streams"):
                    await js.add_stream(name="TWO", subjects=["two.>"])
            finally:
                await nc.close()
            api.delete_account(account)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0


def test_the_module_refuses_a_bad_cluster_size_before_starting(tmp_path: Path) -> None:
    done = subprocess.run(
        [*SERVE_COMMANDS["module"], "--cluster", "9", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    # click's refusal names the option and the allowed range (argparse's words before).
    assert "'--cluster'" in done.stderr and "1<=x<=5" in done.stderr
    assert list(tmp_path.iterdir()) == []
