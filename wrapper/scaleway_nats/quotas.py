"""Scaleway's quotas for one NATS account (their source is in facts.py, their one home).

Kept importable under this name for the emulator's JWT limits (local/jwt.py), account usage
(usage.py) and users who read the numbers.
"""

from __future__ import annotations

from .facts import MAX_CONSUMERS, MAX_MEMORY, MAX_PAYLOAD, MAX_STORAGE, MAX_STREAMS

__all__ = ["MAX_CONSUMERS", "MAX_MEMORY", "MAX_PAYLOAD", "MAX_STORAGE", "MAX_STREAMS"]
