"""The bound on nodes per region in cluster mode, light enough for `scw-nats --help` and the
pytest plugin to validate `--cluster` / `cluster_size` without loading the emulator."""

from __future__ import annotations

# JetStream keeps at most 5 replicas of a stream (nats-server's limit): more nodes add nothing.
MAX_CLUSTER_SIZE = 5
