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

import attrs
import httpx

from .._files import write_atomic
from .._state_dir import default_state_dir
from .emulator import LocalScaleway
from .nats_server import NatsServerError

log = logging.getLogger("scaleway_nats.local")

INFO_FILE = "serve.json"


class NotServingError(RuntimeError):
    """No live `local serve` for a state dir."""


@attrs.frozen
class ServeInfo:
    """What `serve` prints once ready (one JSON line) and keeps in STATE_DIR/serve.json with
    its `pid`: where the API and NATS are, and the default organization's keys."""

    api_url: str
    secret_key: str = attrs.field(repr=False)
    access_key: str
    organization_id: str
    project_id: str
    ca_file: str
    regions: dict[str, str]
    # Cluster mode: each region's nodes (the endpoint in `regions` hands connections to
    # them); `scw-nats local node stop|start|kill REGION INDEX` breaks them by index.
    cluster_size: int
    nodes: dict[str, list[str]]
    pid: int | None = None  # in serve.json, not in the printed line

    @classmethod
    def of(cls, env: LocalScaleway) -> ServeInfo:
        """The record of a started emulator."""
        nodes = {
            region: [node.url for node in cluster.nodes] for region, cluster in env.servers.items()
        }
        return cls(
            api_url=env.api_url,
            secret_key=env.secret_key,
            access_key=env.access_key,
            organization_id=env.organization_id,
            project_id=env.project_id,
            ca_file=env.ca_file,
            regions=env.regions,
            cluster_size=env.cluster_size,
            nodes=nodes,
        )

    @classmethod
    def from_json(cls, text: str) -> ServeInfo:
        """From the printed line or serve.json; ValueError when a field is missing or odd."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("serve info is not a JSON object")
        names = {field.name for field in attrs.fields(cls)}
        try:
            return cls(**{key: value for key, value in data.items() if key in names})
        except TypeError as error:
            raise ValueError(f"serve info: {error}") from None

    def to_json(self) -> str:
        """One JSON line (no newline); `pid` only when set."""
        data = attrs.asdict(self)
        if self.pid is None:
            del data["pid"]
        return json.dumps(data)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, but not ours to use
        return True
    return True


def _check(state_dir: Path) -> ServeInfo:
    path = state_dir / INFO_FILE
    start = f"start one with `scw-nats local serve --state-dir {state_dir}`"
    try:
        info = ServeInfo.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotServingError(f"no emulator is serving state dir {state_dir}: {start}") from None
    except (OSError, ValueError) as error:
        raise NotServingError(f"cannot read {path}: {type(error).__name__}") from None
    pid = int(info.pid or 0)
    if pid <= 0 or not _pid_alive(pid):
        raise NotServingError(
            f"the emulator of state dir {state_dir} (PID {pid}) is no longer running: {start}"
        )
    try:  # a reused PID would pass the check above: the API itself must answer
        response = httpx.get(
            f"{info.api_url}/mnq/v1beta1/regions/fr-par/nats-accounts",
            params={"page_size": 1},
            headers={"X-Auth-Token": info.secret_key},
            timeout=2.0,
            verify=ssl.create_default_context(cafile=info.ca_file),  # with --tls
        )
    except httpx.HTTPError as error:
        raise NotServingError(
            f"the emulator of state dir {state_dir} (PID {pid}) does not answer at "
            f"{info.api_url} ({type(error).__name__}): {start}"
        ) from None
    if response.status_code != 200:
        raise NotServingError(
            f"{info.api_url} answered {response.status_code}, not the emulator of {state_dir}"
        )
    return info


def running_info(state_dir: Path | None = None, wait: float = 0.0) -> ServeInfo:
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


def serve(state_dir: Path | None = None, **settings: Any) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code (0 on a clean stop).

    `settings` go to `LocalScaleway` as they are (those not given keep its defaults);
    `state_dir` defaults to the user data dir, not to a temporary one.
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
    env = LocalScaleway(state_dir=state_dir, **settings)
    try:
        env.start()
    except (NatsServerError, OSError, RuntimeError) as exc:
        log.error("could not start the emulator: %s", exc)
        return 1
    try:
        info = ServeInfo.of(env)
        # For `scw-nats local env`: 0600, as it holds the secret key; removed on stop.
        with_pid = attrs.evolve(info, pid=os.getpid())
        write_atomic(state_dir / INFO_FILE, with_pid.to_json(), private=True)
        sys.stdout.write(info.to_json() + "\n")
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
