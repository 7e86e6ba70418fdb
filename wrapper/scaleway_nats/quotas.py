"""Scaleway's quotas for one NATS account: one home for the numbers, used by the emulator's
JWT limits (local/jwt.py) and by account usage (usage.py).

Source: Scaleway's organization quotas page, NATS section (scaleway/docs-content
pages/organizations-and-projects/additional-content/organization-quotas.mdx, as fixed in
PR #5401): 300 MB stream storage (replicas counted), memory 0, 50 streams, 50 consumers per
stream (nats-server counts the account ``consumer`` limit per stream), and the 512 KB message
size of the NATS technical limitations.
"""

from __future__ import annotations

__all__ = ["MAX_CONSUMERS", "MAX_MEMORY", "MAX_PAYLOAD", "MAX_STORAGE", "MAX_STREAMS"]

MAX_STREAMS = 50
MAX_CONSUMERS = 50  # per stream
MAX_STORAGE = 300 * 1024 * 1024  # bytes, every replica counted
MAX_MEMORY = 0  # memory streams are refused ("insufficient resources")
MAX_PAYLOAD = 512 * 1024  # bytes per message
