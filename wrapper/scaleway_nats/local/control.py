"""The client side of admin.py: `scw-nats local node ...` acting on a running `local serve`."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from .admin import ACTIONS, BUSY_TIMEOUT
from .cluster import NOTICE_TIMEOUT
from .nats_server import HOOK_TIMEOUT, START_TIMEOUT
from .serve import ServeInfo

__all__ = ["ACTIONS", "NodeControlError", "list_nodes", "node_action"]

# The server answers within: waiting for another action on the region, then a node start
# (process, post-start hook) and the cluster noticing. Bounded, with a margin for the reply.
ACTION_TIMEOUT = BUSY_TIMEOUT + START_TIMEOUT + HOOK_TIMEOUT + NOTICE_TIMEOUT + 10.0


class NodeControlError(RuntimeError):
    """The emulator refused or failed a node action; the message is one line for people."""


def _request(info: ServeInfo, method: str, path: str, timeout: float) -> dict[str, Any]:
    try:
        response = httpx.request(
            method,
            f"{info.api_url}/local/v1{path}",
            headers={"X-Auth-Token": info.secret_key},
            timeout=timeout,
            verify=ssl.create_default_context(cafile=info.ca_file),  # with --tls
        )
    except httpx.HTTPError as error:
        raise NodeControlError(
            f"the emulator at {info.api_url} did not answer ({type(error).__name__})"
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise NodeControlError(f"the emulator answered {response.status_code} without JSON")
    if response.status_code != 200:
        raise NodeControlError(_explain(response.status_code, body))
    return body


def _explain(status: int, body: dict[str, Any]) -> str:
    """One line from the emulator's error body: each bad argument with what it allows."""
    details = body.get("details") or []
    reasons = [
        f"{item.get('argument_name')}: {item.get('help_message')}"
        for item in details
        if isinstance(item, dict) and "argument_name" in item
    ]
    message = "; ".join(reasons) if reasons else str(body.get("message", "no message"))
    return f"the emulator refused ({status}): {message}"


def list_nodes(info: ServeInfo, region: str) -> dict[str, Any]:
    """The region's nodes (index, name, url, running), its size and endpoint."""
    return _request(info, "GET", f"/regions/{region}/nodes", timeout=10.0)


def node_action(info: ServeInfo, region: str, index: int, action: str) -> dict[str, Any]:
    """Stop, kill or start node `index` of `region`; returns once the cluster noticed, with
    `seconds` (how long that took) and the node's state."""
    return _request(info, "POST", f"/regions/{region}/nodes/{index}/{action}", ACTION_TIMEOUT)
