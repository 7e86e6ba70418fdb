"""The emulator's command line, one click command: `scw-nats local serve` mounts it and
`python -m scaleway_nats.local` runs it.

Each option is a `LocalScaleway` setting of the same name (tests/local/test_serve_options.py
fails when a setting has none). Options default to None, "not given": only given settings
reach `LocalScaleway`, so its signature holds every default, shown in the help from there.
New settings: one more `@_setting(...)` line.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .._cluster import MAX_CLUSTER_SIZE
from .._state_dir import state_dir_option
from .emulator import LocalScaleway
from .latency import MAX_LATENCY_MS
from .profiles import PROFILES

__all__ = ["main", "serve_command"]

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(LocalScaleway.__init__).parameters.items()
}


def _setting(name: str, kind: Any, text: str, *, flag: str | None = None) -> Callable[[F], F]:
    """An option for LocalScaleway's setting `name`, None when not given."""
    shown = "random" if _DEFAULTS[name] is None else _DEFAULTS[name]
    option = flag or "--" + name.replace("_", "-")
    if kind is bool:
        return click.option(option, name, is_flag=True, default=None, help=text)
    return click.option(option, name, type=kind, default=None, help=f"{text} (default: {shown}).")


# LocalScaleway's per-account JetStream limits; unset, Scaleway's published quotas (local/jwt.py
# Limits, with their source). max_payload: nats-server takes at most 64 MB, its default
# max_pending (docs.nats.io/reference/config/max_payload).
_LIMITS = {
    "max_streams": ("Streams per account", click.IntRange(0)),
    "max_consumers": ("Consumers per stream (an account limit)", click.IntRange(0)),
    "max_storage": ("Bytes of file storage per account, replicas counted", click.IntRange(0)),
    "max_memory": ("Bytes of memory storage per account", click.IntRange(0)),
    "max_payload": ("Bytes per message", click.IntRange(1, 64 * 1024 * 1024)),
}


def _limit_options(function: F) -> F:
    for name, (what, kind) in reversed(_LIMITS.items()):
        function = _setting(name, kind, f"{what}; Scaleway's quota")(function)
    return function


@click.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@_setting("host", str, "Interface the API and NATS listen on")
@_setting("api_port", click.IntRange(0, 65535), "API port; 0: any free port")
@state_dir_option("Where the emulator keeps its accounts, keys and CA.")
@_setting("max_accounts", click.IntRange(1), "NATS accounts per organization, both regions")
@_setting("fault_rate", click.FloatRange(0, 1), "Share of API requests failed on purpose")
@_setting("fault_seed", int, "Seed of the injected faults (the same seed, the same faults)")
@_setting(
    "propagation_delay",
    click.FloatRange(0, 60),
    "Seconds before a new resource is visible and active (Scaleway is eventually consistent)",
)
@_setting(
    "read_lag",
    click.FloatRange(0, 60),
    "Seconds during which a GET of a new resource may answer 404 now and then, as the live "
    "API does (seeded: the same run, the same answers)",
)
@_setting("read_lag_seed", int, "Seed of --read-lag's draws")
@_setting(
    "read_lag_rate",
    click.FloatRange(0, 1),
    "Probability that a young read lags (default: the recordings' ratio; 1: every one)",
)
@_setting("tls", bool, "Serve the API over HTTPS (HTTP/2 and HTTP/1.1), CA: ca_file.")
@_setting(
    "latency_ms",
    click.FloatRange(0, MAX_LATENCY_MS),
    "One-way delay added to every API request and answer (a round trip: twice)",
)
@_setting(
    "cluster_size",
    click.IntRange(1, MAX_CLUSTER_SIZE),
    "nats-servers per region, joined in a JetStream cluster behind the one endpoint "
    "(1: a single server). Break them with `scw-nats local node stop|start|kill`",
    flag="--cluster",
)
@_setting(
    "connection_max_requests",
    click.IntRange(0),
    "With --tls: requests per connection before it is recycled gracefully, as gateways do "
    "(nginx and Hypercorn: 1000; 0: never)",
)
@_limit_options
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILES)),
    default=None,
    help="Every realistic dimension at once: HTTPS/HTTP2, latency, propagation and read lag, "
    "faults, 3 nodes (local/profiles.py). Options given explicitly override it.",
)
@click.option(
    "--seed", type=click.IntRange(0), default=0, show_default=True, help="The profile's seed."
)
def serve_command(state_dir: Path | None, profile: str | None, seed: int, **settings: Any) -> None:
    """Serve the API and NATS in the foreground; print one JSON line when ready.

    Then `eval "$(scw-nats local env)"` points the CLI and the SDKs at it.
    """
    from .serve import serve

    given = {name: value for name, value in settings.items() if value is not None}
    if given.get("connection_max_requests") == 0:  # 0 on the command line: never recycle
        given["connection_max_requests"] = None
    if profile is not None:  # the profile's settings, except where an option was given
        given = {**PROFILES[profile](seed), **given}
    sys.exit(serve(state_dir, **given))


def main() -> None:
    """`python -m scaleway_nats.local`."""
    serve_command(prog_name="python -m scaleway_nats.local")
