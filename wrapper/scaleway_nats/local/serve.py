"""``scw-nats local serve``: run the emulator in the foreground until SIGTERM/SIGINT.

Prints exactly one JSON line on stdout once everything accepts connections (for scripts and
process managers to read), logs to stderr, and stops both nats-servers before exiting.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import platformdirs

from .emulator import LocalScaleway
from .nats_server import NatsServerError

log = logging.getLogger("scaleway_nats.local")


def default_state_dir() -> Path:
    return Path(platformdirs.user_data_dir("scaleway-nats")) / "local"


def serve(
    host: str = "127.0.0.1",
    api_port: int = 0,
    state_dir: Path | None = None,
    max_accounts: int = 10,
    fault_rate: float = 0.0,
) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code (0 on a clean stop)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    env = LocalScaleway(
        state_dir=state_dir or default_state_dir(),
        host=host,
        api_port=api_port,
        max_accounts=max_accounts,
        fault_rate=fault_rate,
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
        }
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        log.info("state dir: %s; NATS: %s", env.state_dir, env.regions)
        while not stop.wait(60.0):  # wakes up on a signal; logs counters once a minute
            log.info("stats: %s", env.stats)
        return 0
    finally:
        env.stop()
        log.info("stopped; stats: %s", env.stats)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
