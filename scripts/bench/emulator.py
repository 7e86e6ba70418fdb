"""The emulator under test, in a child process, and the accounts the scenarios use in it."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import select
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx

from scaleway_nats import Config
from scaleway_nats.local import LocalScaleway, seed_credentials
from scaleway_nats.local.serve import ServeInfo

from .measuring import log

REGION = "fr-par"
BASE_PATH = f"/mnq/v1beta1/regions/{REGION}"
EMULATOR_START_TIMEOUT = 60.0  # seconds


@dataclasses.dataclass(frozen=True)
class Emulator:
    """What clients need to reach the emulator, and where its state lives."""

    api_url: str
    secret_key: str
    access_key: str
    project_id: str
    organization_id: str
    ca_file: str
    state_dir: Path

    def config(self, api_url: str | None = None) -> Config:
        """Client settings for the emulator, reached at `api_url` (a latency proxy) if given."""
        return Config(
            secret_key=self.secret_key,
            project_id=self.project_id,
            region=REGION,
            api_url=api_url or self.api_url,
        )

    def client_spec(self) -> dict[str, str]:
        return {
            "api_url": self.api_url,
            "secret_key": self.secret_key,
            "access_key": self.access_key,
            "project_id": self.project_id,
        }


@contextlib.contextmanager
def running_emulator(max_accounts: int, *, tls: bool = False) -> Iterator[Emulator]:
    """A LocalScaleway in a child process (`python -m scaleway_nats.local`), stopped on exit;
    its API over HTTPS (HTTP/2 and HTTP/1.1) with `tls`."""
    state_dir = Path(tempfile.mkdtemp(prefix="scaleway-nats-bench-"))
    command = [sys.executable, "-m", "scaleway_nats.local"]
    command += ["--state-dir", str(state_dir), "--max-accounts", str(max_accounts)]
    command += ["--tls"] if tls else []
    with (state_dir.parent / f"{state_dir.name}.log").open("w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            info = ServeInfo.from_json(read_line(process, EMULATOR_START_TIMEOUT))
            served = attrs.asdict(info)  # the fields of the emulator's ServeInfo it needs
            fields = [f.name for f in dataclasses.fields(Emulator) if f.name != "state_dir"]
            yield Emulator(state_dir=state_dir, **{name: served[name] for name in fields})
        finally:
            stop_process(process)
            shutil.rmtree(state_dir, ignore_errors=True)
    Path(stderr.name).unlink(missing_ok=True)


def read_line(process: subprocess.Popen[str], timeout: float, what: str = "the emulator") -> str:
    """The child's first stdout line, or an error if it does not come within `timeout`."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else ""
    if not line:
        raise RuntimeError(f"{what} did not start within {timeout:.0f} s")
    return line


def stop_process(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


class Accounts:
    """Accounts made through the API; seeded ones are cached by their number of credentials."""

    def __init__(self, emulator: Emulator, raw: httpx.Client) -> None:
        self._emulator = emulator
        self._raw = raw
        self._seeded: dict[int, str] = {}
        self.seeding_seconds: dict[int, float] = {}

    def create(self) -> str:
        response = self._raw.post(f"{BASE_PATH}/nats-accounts", json={})
        response.raise_for_status()
        return str(response.json()["id"])

    def with_credentials(self, count: int) -> str:
        """An account holding `count` credentials (seeded once, reused by every scenario)."""
        if count not in self._seeded:
            account_id = self.create()
            started = time.perf_counter()
            seed_credentials(self._emulator.state_dir, account_id, count)
            self.seeding_seconds[count] = time.perf_counter() - started
            self._seeded[count] = account_id
        return self._seeded[count]


@functools.cache
def _ssl_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def verify(emulator: Emulator) -> bool | ssl.SSLContext:
    """What httpx clients verify the emulator's API with: its CA when it serves HTTPS."""
    return _ssl_context(emulator.ca_file) if emulator.api_url.startswith("https:") else True


def emulator_has_tls() -> bool:
    """Whether this emulator serves HTTPS (LocalScaleway(tls=...)); if not, say so."""
    if "tls" in inspect.signature(LocalScaleway).parameters:
        return True
    log("this emulator has no tls option: the network scenario runs over plain HTTP")
    return False
