"""Moved to tests/support/processes.py; this name stays for tests written before the move."""

from tests.support.processes import alive, nats_server_pids, reap, wait_dead

__all__ = ["alive", "nats_server_pids", "reap", "wait_dead"]
