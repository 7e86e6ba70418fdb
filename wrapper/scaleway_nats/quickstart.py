"""Scaleway's documented NATS quickstart in one call, with each step timed.

1. create a NATS account          4. connect with nats-py over TLS
2. create credentials             5. subscribe, publish 'Hi there!', receive it
3. write the .creds file (0600)   6. JetStream: store one message and read it back
then delete everything created (unless `keep=True`), also when a step fails.

Against real Scaleway when credentials are configured (SCW_* or config.yaml), or against
a running `scw-nats local serve` when they point at it (`eval "$(scw-nats local env)"`);
otherwise against a `LocalScaleway` emulator started for the occasion.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import httpx

from . import facts
from .api import AsyncNatsAPI
from .config import Config, resolve_config
from .errors import ConfigurationError
from .models import NatsAccount, NatsCredentials
from .nats import connect, resolve_ca_file

__all__ = [
    "QuickstartResult",
    "StepFailed",
    "StepResult",
    "Steps",
    "Target",
    "format_step",
    "quickstart",
    "quickstart_async",
    "target",
]

T = TypeVar("T")
OnStep = Callable[["StepResult"], None]

# Seconds one step may take: twice an API call's whole deadline (RetryConfig.deadline, 60 s,
# its retries included), so only a hang reaches it, and the run goes on to its cleanup.
STEP_TIMEOUT = 120.0


@attrs.frozen
class StepResult:
    """The outcome of one quickstart step."""

    name: str
    ok: bool
    seconds: float
    detail: str = ""


@attrs.frozen
class QuickstartResult:
    """Every step's outcome; `ok` when all passed."""

    target: str  # "scaleway" or "local"
    region: str
    steps: tuple[StepResult, ...]
    message: str | None = None  # what the subscriber received
    account: NatsAccount | None = None
    credentials_file: Path | None = None  # kept only with keep=True
    where: str = ""  # for people: "Scaleway", "local emulator at http://127.0.0.1:…"

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


def format_step(step: StepResult) -> str:
    """One line for a step: mark, name, milliseconds, detail."""
    mark = "ok  " if step.ok else "FAIL"
    return f"{mark} {step.name:<32} {step.seconds * 1000:8.1f} ms  {step.detail}"


class Steps:
    """Runs and records timed steps; a failing step raises StepFailed (already recorded).

    Each step is bounded by ``timeout`` seconds: one that is still running then is cancelled
    and fails, named, so a hang is reported where it happened instead of stalling the run.
    """

    def __init__(self, on_step: OnStep | None, *, timeout: float = STEP_TIMEOUT) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.results: list[StepResult] = []
        self._on_step = on_step
        self._timeout = timeout

    async def run(self, name: str, action: Awaitable[T], detail: Callable[[T], str]) -> T:
        started = time.perf_counter()
        bound = asyncio.timeout(self._timeout)
        try:
            async with bound:
                value = await action
        except Exception as error:
            # A step's own timeout (nats-py's is a TimeoutError too) is not the bound's.
            why = f"did not finish in {self._timeout:g} s" if bound.expired() else _explain(error)
            self._record(StepResult(name, False, time.perf_counter() - started, why))
            raise StepFailed from error
        self._record(StepResult(name, True, time.perf_counter() - started, detail(value)))
        return value

    def _record(self, result: StepResult) -> None:
        self.results.append(result)
        if self._on_step is not None:
            self._on_step(result)


class StepFailed(Exception):
    """A step failed; its result is already recorded."""


def _explain(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}" if text != type(error).__name__ else text


async def quickstart_async(
    api: AsyncNatsAPI,
    *,
    ca_file: str | os.PathLike[str] | None = None,
    region: str | None = None,
    keep: bool = False,
    creds_dir: str | os.PathLike[str] | None = None,
    subject: str | None = None,
    text: str = "Hi there!",
    target: str = "scaleway",
    where: str = "",
    on_step: OnStep | None = None,
) -> QuickstartResult:
    """Run the quickstart with an existing client; see the module docstring."""
    region = region or api.region
    steps = Steps(on_step)
    suffix = secrets.token_hex(3)
    subject = subject or f"quickstart.{suffix}"
    account: NatsAccount | None = None
    received: str | None = None
    creds_path: Path | None = None
    with _creds_folder(creds_dir, keep) as folder:
        try:
            # Unnamed creates: the client generates a unique name, so if an answer is lost
            # it can prove what its own request made and recover, where a chosen name could
            # only raise AmbiguousCreateError (issue 22).
            account = await steps.run(
                "create account",
                api.create_account(region=region),
                lambda a: f"{a.name} ({a.id}) at {a.endpoint}",
            )
            credentials: NatsCredentials = await steps.run(
                "create credentials",
                api.create_credentials(account),
                lambda c: f"{c.name} ({c.id})",
            )
            creds_path = await steps.run(
                "write .creds file",
                _async(lambda: credentials.write(folder / f"quickstart-{suffix}.creds")),
                lambda p: f"{p} (mode 0600)",
            )
            client = await steps.run(
                "connect over TLS",
                connect(account, creds_path, ca_file),
                lambda c: f"server {c.connected_url.netloc if c.connected_url else '?'}",
            )
            try:
                received = await steps.run(
                    "publish and receive",
                    _pub_sub(client, subject, text),
                    lambda m: f"{subject}: {m!r}",
                )
                await steps.run(
                    "JetStream store and read back",
                    _jetstream_round_trip(client, f"QUICKSTART_{suffix}", text),
                    lambda s: s,
                )
            finally:
                with contextlib.suppress(Exception):
                    await client.close()
        except StepFailed:
            pass
        finally:
            if account is not None and not keep:
                with contextlib.suppress(StepFailed):
                    await steps.run(
                        "delete account",
                        api.delete_account(account),
                        lambda _: "account, credentials and streams deleted",
                    )
    return QuickstartResult(
        target=target,
        region=region,
        steps=tuple(steps.results),
        message=received,
        account=account,
        credentials_file=creds_path if keep else None,
        where=where or ("Scaleway" if target == "scaleway" else "local emulator"),
    )


def quickstart(
    *,
    local: bool | None = None,
    keep: bool = False,
    region: str | None = None,
    secret_key: str | None = None,
    project_id: str | None = None,
    api_url: str | None = None,
    profile: str | None = None,
    ca_file: str | os.PathLike[str] | None = None,
    creds_dir: str | os.PathLike[str] | None = None,
    on_step: OnStep | None = None,
) -> QuickstartResult:
    """Run the quickstart; `local=None` picks the emulator when no credentials are configured."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # no loop running: asyncio.run below may start one
    else:
        raise RuntimeError(
            "quickstart() cannot run inside a running event loop: "
            "use `await quickstart_async(api, ...)` there"
        )
    config = resolve_config(
        secret_key=secret_key,
        project_id=project_id,
        region=region,
        api_url=api_url,
        profile=profile,
    )

    async def main() -> QuickstartResult:
        with target(config, local=local, ca_file=ca_file, keep=keep) as chosen:
            async with AsyncNatsAPI(config=chosen.config) as api:
                return await quickstart_async(
                    api,
                    ca_file=chosen.ca_file,
                    keep=keep,
                    creds_dir=creds_dir,
                    target=chosen.name,
                    where=chosen.where,
                    on_step=on_step,
                )

    return asyncio.run(main())


@attrs.frozen
class Target:
    """Where a quickstart or smoke run goes: Scaleway, or an emulator started for it."""

    name: str  # "scaleway" or "local"
    config: Config
    ca_file: str | os.PathLike[str] | None
    where: str = "Scaleway"  # for people: "Scaleway" or "local emulator at URL"


def is_loopback(url: str) -> bool:
    """Whether `url` points at this machine (a local emulator, never Scaleway)."""
    return facts.is_loopback(httpx.URL(url).host)


@contextlib.contextmanager
def target(
    config: Config,
    *,
    local: bool | None = None,
    ca_file: str | os.PathLike[str] | None = None,
    keep: bool = False,
) -> Iterator[Target]:
    """Where to run: `config`'s API when it has credentials (or `local=False`), else a
    `LocalScaleway` started for the duration, in `config`'s region.

    The CA is `resolve_ca_file(ca_file)` (SCW_NATS_CA_FILE). `keep=True` with an emulator
    started here is refused: it stops at the end, so nothing could be kept.
    """
    if config.has_credentials if local is None else not local:
        where = f"local emulator at {config.api_url}" if is_loopback(config.api_url) else None
        yield Target(
            "local" if where else "scaleway", config, resolve_ca_file(ca_file), where or "Scaleway"
        )
        return
    if keep:
        raise ConfigurationError(
            "nothing can be kept in an emulator started for this run (it stops when the run "
            "ends): start one with `scw-nats local serve &`, point at it with "
            '`eval "$(scw-nats local env --wait 30)"`, then run again with --keep'
        )
    try:
        from .local import LocalScaleway  # the `local` extra: imported only when used
    except ModuleNotFoundError as error:
        why = "" if local else " no Scaleway credentials are configured (SCW_SECRET_KEY...) and"
        raise ConfigurationError(f"{why} {error}".strip()) from None

    with LocalScaleway() as env:
        emulated = Config(
            secret_key=env.secret_key,
            project_id=env.project_id,
            region=config.region,
            api_url=env.api_url,
        )
        yield Target("local", emulated, env.ca_file, f"local emulator at {env.api_url}")


@contextlib.contextmanager
def _creds_folder(creds_dir: str | os.PathLike[str] | None, keep: bool) -> Iterator[Path]:
    if creds_dir is not None:
        yield Path(creds_dir)
    elif keep:
        yield Path.cwd()
    else:
        with tempfile.TemporaryDirectory(prefix="scw-nats-quickstart-") as tmp:
            yield Path(tmp)


async def _async(function: Callable[[], T]) -> T:
    return function()


async def _pub_sub(client: Any, subject: str, text: str) -> str:
    subscription = await client.subscribe(subject)
    await client.flush()  # the server knows the subscription before we publish
    await client.publish(subject, text.encode())
    message = await subscription.next_msg(timeout=5)
    await subscription.unsubscribe()
    return str(message.data.decode())


async def _jetstream_round_trip(client: Any, stream: str, text: str) -> str:
    js = client.jetstream(timeout=5)
    subject = f"{stream.lower()}.check"
    await js.add_stream(name=stream, subjects=[subject], max_msgs=10)
    try:
        ack = await js.publish(subject, text.encode())
        stored = await js.get_msg(stream, ack.seq)
        if stored.data is None or stored.data.decode() != text:
            raise RuntimeError(f"stream {stream} returned {stored.data!r}, expected {text!r}")
        return f"stream {stream}: message {ack.seq} stored and read back"
    finally:
        with contextlib.suppress(Exception):
            await js.delete_stream(stream)
