"""``python -m scaleway_nats.local``: the same command as ``scw-nats local serve``."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
