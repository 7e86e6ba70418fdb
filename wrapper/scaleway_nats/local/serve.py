"""``scw-nats local serve``: run the emulator in the foreground until SIGTERM/SIGINT.

Prints exactly one JSON line on stdout once everything accepts connections (for scripts and
process managers to read), logs to stderr, and stops every nats-server before exiting.
The same information, with the server's PID, is kept in ``STATE_DIR/serve.json`` (0600: it
holds the secret key) while it runs, for ``scw-nats local env`` to read (`running_info`).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import ssl
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from .._files import write_atomic
from .._state_dir import default_state_dir
from ..facts import MAX_ACCOUNTS
from .emulator import LocalScaleway
from .nats_server import NatsServerError

log = logging.getLogger("scaleway_nats.local")

INFO_FILE = "serve.json"


class NotServingError(RuntimeError):
    """No live `local serve` for a state dir."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, but not ours to use
        return True
    return True


def _check(state_dir: Path) -> dict[str, Any]:
    path = state_dir / INFO_FILE
    start = f"start one with `scw-nats local serve --state-dir {state_dir}`"
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotServingError(f"no emulator is serving state dir {state_dir}: {start}") from None
    except (OSError, ValueError) as error:
        raise NotServingError(f"cannot read {path}: {type(error).__name__}") from None
    pid = int(info.get("pid", 0))
    if pid <= 0 or not _pid_alive(pid):
        raise NotServingError(
            f"the emulator of state dir {state_dir} (PID {pid}) is no longer running: {start}"
        )
    try:  # a reused PID would pass the check above: the API itself must answer
        response = httpx.get(
            f"{info['api_url']}/mnq/v1beta1/regions/fr-par/nats-accounts",
            params={"page_size": 1},
            headers={"X-Auth-Token": info["secret_key"]},
            timeout=2.0,
            verify=ssl.create_default_context(cafile=info["ca_file"]),  # with --tls
        )
    except httpx.HTTPError as error:
        raise NotServingError(
            f"the emulator of state dir {state_dir} (PID {pid}) does not answer at "
            f"{info['api_url']} ({type(error).__name__}): {start}"
        ) from None
    if response.status_code != 200:
        raise NotServingError(
            f"{info['api_url']} answered {response.status_code}, not the emulator of {state_dir}"
        )
    return info


def running_info(state_dir: Path | None = None, wait: float = 0.0) -> dict[str, Any]:
    """What `serve` printed (plus its `pid`), once its API answers; waits up to `wait` s.

    Raises NotServingError, with the command that starts one, when none is serving it.
    """
    state_dir = (state_dir or default_state_dir()).absolute()
    deadline = time.monotonic() + wait
    while True:
        try:
            return _check(state_dir)
        except NotServingError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(0.1)


def serve(
    host: str = "127.0.0.1",
    api_port: int = 0,
    state_dir: Path | None = None,
    max_accounts: int = MAX_ACCOUNTS,
    fault_rate: float = 0.0,
    **settings: Any,
) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code (0 on a clean stop).

    `settings` go to `LocalScaleway` as they are (e.g. `propagation_delay`).
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    state_dir = (state_dir or default_state_dir()).absolute()
    env = LocalScaleway(
        state_dir=state_dir,
        host=host,
        api_port=api_port,
        max_accounts=max_accounts,
        fault_rate=fault_rate,
        **settings,
    )
    try:
        env.start()
    except (NatsServerError, OSError, RuntimeError) as exc:
        log.error("could not start the emulator: %s", exc)
        return 1
    try:
        info = {
            "api_url": env.api_url,
            "secret_key": env.secret_key,
            "access_key": env.access_key,
            "organization_id": env.organization_id,
            "project_id": env.project_id,
            "ca_file": env.ca_file,
            "regions": env.regions,
            # Cluster mode: each region's nodes (the endpoint above hands connections to them);
            # `scw-nats local node stop|start|kill REGION INDEX` breaks them by index.
            "cluster_size": env.cluster_size,
            "nodes": {
                region: [node.url for node in cluster.nodes]
                for region, cluster in env.servers.items()
            },
        }
        # For `scw-nats local env`: 0600, as it holds the secret key; removed on stop.
        write_atomic(state_dir / INFO_FILE, json.dumps({**info, "pid": os.getpid()}), private=True)
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        log.info("state dir: %s; NATS: %s", env.state_dir, env.regions)
        while not stop.wait(60.0):  # wakes up on a signal; logs counters once a minute
            log.info("stats: %s", env.stats)
        return 0
    finally:
        (state_dir / INFO_FILE).unlink(missing_ok=True)
        env.stop()
        log.info("stopped; stats: %s", env.stats)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
