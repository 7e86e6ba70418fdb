"""``python -m scaleway_nats.local``: one JSON line, working API, clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

KEYS = {
    "api_url",
    "secret_key",
    "access_key",
    "organization_id",
    "project_id",
    "ca_file",
    "regions",
}


def nats_server_pids(parent: int) -> list[int]:
    """Children of ``parent`` (Linux /proc), i.e. the region servers."""
    pids: list[int] = []
    for task in Path(f"/proc/{parent}/task").iterdir():
        children = task / "children"
        pids += [int(p) for p in children.read_text().split()]
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


SERVE_COMMANDS = {
    "module": [sys.executable, "-m", "scaleway_nats.local"],
    "cli": [str(Path(sys.executable).parent / "scw-nats"), "local", "serve"],
}


@pytest.mark.parametrize("command", sorted(SERVE_COMMANDS))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_one_json_line_and_stops_cleanly(
    tmp_path: Path, sig: signal.Signals, command: str
) -> None:
    proc = subprocess.Popen(
        [*SERVE_COMMANDS[command], "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
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
        deadline = time.monotonic() + 5
        while any(alive(p) for p in servers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(p) for p in servers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_children_die_with_a_killed_parent(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaleway_nats.local", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
        servers = nats_server_pids(proc.pid)
        assert len(servers) == 2
        proc.kill()  # SIGKILL: no cleanup code runs in the parent
        proc.wait(5)
        deadline = time.monotonic() + 5
        while any(alive(p) for p in servers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(p) for p in servers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
