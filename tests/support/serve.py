"""Start ``serve`` (or any process that announces itself with one stdout line), bounded.

``proc.stdout.readline()`` waits forever when a child hangs before printing; here a reader
thread reads the line and the caller waits at most `timeout` seconds for it. On a timeout, or
when the child exits without a line, the child is killed and the failure shows what it wrote.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from tests.support.processes import reap, run_captured

SCW_NATS = str(Path(sys.executable).parent / "scw-nats")
SERVE_MODULE = [sys.executable, "-m", "scaleway_nats.local"]  # python -m scaleway_nats.local
SERVE_CLI = [SCW_NATS, "local", "serve"]  # scw-nats local serve
START_TIMEOUT = 120.0  # seconds: a 3-node cluster on 2 busy cores takes tens of seconds
OUTPUT_SHOWN = 4000  # characters of each stream quoted in a failure


class StartFailed(AssertionError):
    """The process printed no first line in time (it was killed) or exited without one."""


@dataclass
class Started:
    """A started process and the first line it printed (JSON for ``serve``)."""

    proc: subprocess.Popen[str]
    line: str
    log: IO[str] | None = field(default=None, repr=False)  # its stderr when not piped

    @cached_property
    def info(self) -> dict[str, Any]:
        """The first line as JSON (``serve``'s record: api_url, secret_key, ca_file, ...)."""
        value = json.loads(self.line)
        assert isinstance(value, dict), self.line
        return value

    def close(self) -> None:
        """Kill the process if still running (bounded) and drop its log."""
        reap(self.proc)
        if self.log is not None:
            self.log.close()


def start(
    command: Sequence[str],
    *,
    timeout: float = START_TIMEOUT,
    stderr: int | IO[Any] | None = None,
    **popen: Any,
) -> Started:
    """Run `command` with stdout piped and wait at most `timeout` s for its first line.

    `stderr`: as for Popen; by default a temporary file, quoted if the start fails (a pipe
    nobody reads could fill and block the child). The caller stops the process
    (``Started.close()``, or ``serving`` which does it).
    """
    log = tempfile.TemporaryFile("w+") if stderr is None else None  # noqa: SIM115 (Started.close)
    proc = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=log or stderr, text=True, **popen
    )
    try:
        line = first_line(proc, timeout, log)
    except BaseException:
        if log is not None:
            log.close()
        raise
    return Started(proc, line, log)


@contextlib.contextmanager
def serving(command: Sequence[str], **options: Any) -> Iterator[Started]:
    """`start`, then kill the process (if still running) when the block ends."""
    started = start(command, **options)
    try:
        yield started
    finally:
        started.close()


@contextlib.contextmanager
def in_background(command: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """Run `command` with its output dropped, for a test that learns it is ready another way
    (`local env --wait`); when the block ends, SIGTERM it, then SIGKILL it if it lingers."""
    proc = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, **popen
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(15)
        reap(proc)


def local_env(state_dir: str, *options: str, **run: Any) -> subprocess.CompletedProcess[str]:
    """`scw-nats local env --state-dir STATE_DIR [OPTIONS]`, run to its end (bounded)."""
    return run_captured([SCW_NATS, "local", "env", "--state-dir", state_dir, *options], **run)


def exports(text: str) -> dict[str, str]:
    """The SCW_* variables that `local env`'s output sets, as bash sets them (it runs it)."""
    shell = run_captured(["bash", "-c", text + "\nenv -0"], check=True, env={}, timeout=30)
    pairs = [item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item]
    return {name: value for name, value in pairs if name.startswith("SCW_")}


def first_line(
    proc: subprocess.Popen[str],
    timeout: float = START_TIMEOUT,
    log: IO[str] | None = None,
    *,
    stream: IO[str] | None = None,
) -> str:
    """The first line `proc` writes on `stream` (its piped stdout by default), waited for at
    most `timeout` s.

    Raises StartFailed, with the process's output, after killing it, if no line came.
    """
    source = stream or proc.stdout
    assert source is not None, "stdout must be subprocess.PIPE"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(source.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if lines and lines[0]:
        return lines[0]
    what = "exited without a line" if lines else f"printed no line within {timeout:.0f} s"
    raise StartFailed(f"{' '.join(proc.args)} {what}; {_output(proc, reader, log)}")  # type: ignore[arg-type]


def _output(proc: subprocess.Popen[str], reader: threading.Thread, log: IO[str] | None) -> str:
    """Kill `proc` and return its exit status and what it wrote (each stream's tail)."""
    proc.kill()
    reader.join(10)  # the kill closes stdout, which ends the reader's readline
    out = err = ""
    if not reader.is_alive():  # never two readers on one stream
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError, OSError):
            out, err = proc.communicate(timeout=10)
    if log is not None:
        log.seek(0)
        err = log.read()
    status = proc.poll()
    return (
        f"exit status {status}; stdout: {(out or '')[-OUTPUT_SHOWN:]!r}; "
        f"stderr: {(err or '')[-OUTPUT_SHOWN:]!r}"
    )
