"""``python -m scaleway_nats.local``: the same as ``scw-nats local serve``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._cluster import MAX_CLUSTER_SIZE
from ..facts import MAX_ACCOUNTS
from .serve import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scaleway_nats.local",
        description="Run a local emulator of Scaleway's NATS API (mnq/v1beta1).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--max-accounts", type=int, default=MAX_ACCOUNTS)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--tls", action="store_true", help="API over HTTPS (HTTP/2, HTTP/1.1)")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="one-way delay added to the API (0-1000)"
    )
    parser.add_argument(
        "--cluster",
        type=int,
        default=1,
        help=f"nats-servers per region, clustered behind one endpoint (1-{MAX_CLUSTER_SIZE})",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.cluster <= MAX_CLUSTER_SIZE:
        parser.error(f"--cluster must be between 1 and {MAX_CLUSTER_SIZE}")
    from .latency import MAX_LATENCY_MS

    if not 0 <= args.latency_ms <= MAX_LATENCY_MS:
        parser.error(f"--latency-ms must be between 0 and {MAX_LATENCY_MS:.0f}")
    # Passed only when set, like the CLI's settings.
    settings: dict[str, Any] = {"tls": True} if args.tls else {}
    if args.latency_ms:
        settings["latency_ms"] = args.latency_ms
    if args.cluster != 1:
        settings["cluster_size"] = args.cluster
    return serve(
        args.host, args.api_port, args.state_dir, args.max_accounts, args.fault_rate, **settings
    )


if __name__ == "__main__":
    raise SystemExit(main())
