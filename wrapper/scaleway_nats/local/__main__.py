"""``python -m scaleway_nats.local``: the same as ``scw-nats local serve``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .serve import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scaleway_nats.local",
        description="Run a local emulator of Scaleway's NATS API (mnq/v1beta1).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--max-accounts", type=int, default=10)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    return serve(args.host, args.api_port, args.state_dir, args.max_accounts, args.fault_rate)


if __name__ == "__main__":
    raise SystemExit(main())
