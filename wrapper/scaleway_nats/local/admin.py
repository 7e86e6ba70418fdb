"""Emulator-only routes, like moto's ``/moto-api/``: break a region's nodes over HTTP.

Not part of Scaleway's API (no ``/local/`` path is in the spec, and nothing that claims to be
the API surface lists them): `scw-nats local node ...` drives a running `local serve` with them.

- ``GET  /local/v1/regions/{region}/nodes``: the region's nodes and whether each runs;
- ``POST /local/v1/regions/{region}/nodes/{index}/{action}``, action ``stop`` (SIGTERM),
  ``kill`` (SIGKILL) or ``start``: answers once the cluster noticed, with the seconds it took.

Authenticated with the API's X-Auth-Token: an unknown key gets the API's 401; the key of an
organization other than the emulator's own (the one `local serve` prints) gets 403, since a
node serves every organization (our choice). Bad arguments get a 400 in the API's format, one
detail per bad argument. Actions on one region run one at a time, in a worker thread, so the
API keeps serving meanwhile; a region busy for longer than BUSY_TIMEOUT answers 409.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..facts import REGIONS
from .app import by_method, check_region, detail, invalid
from .cluster import NOTICE_TIMEOUT, NatsCluster
from .domain import Busy, Denied, Detail, Unavailable
from .faults import ADMIN_PREFIX  # where faults are never injected
from .nats_server import NatsServer, NatsServerError
from .service import Service

ACTIONS = ("stop", "kill", "start")
BUSY_TIMEOUT = 3 * NOTICE_TIMEOUT  # seconds to wait for another action on the same region
_INDEX = re.compile(r"^[0-9]{1,3}$")

ADMIN_ONLY = "only the emulator's own organization (its first) may stop or start nodes"


def node_json(node: NatsServer) -> dict[str, Any]:
    return {"index": node.index, "name": node.name, "url": node.url, "running": node.running}


class Admin:
    """The admin routes, over the same ``Service`` as the API (its callers, its clusters)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._busy = {region: threading.Lock() for region in REGIONS}

    def _authorize(self, request: Request) -> None:
        caller = self.service.caller(request.headers.get("x-auth-token", ""))  # 401 as the API
        owner = self.service.owner()
        if owner is None or caller.organization_id != owner.organization_id:
            raise Denied(None, ADMIN_ONLY)

    def _cluster(self, request: Request, errors: list[Detail]) -> NatsCluster | None:
        region = check_region(str(request.path_params["region"]), errors)
        return None if errors else self.service.clusters()[region]

    async def list_nodes(self, request: Request) -> Response:
        self._authorize(request)
        errors: list[Detail] = []
        cluster = self._cluster(request, errors)
        if cluster is None:
            raise invalid(errors)
        return JSONResponse(
            {
                "region": cluster.region,
                "cluster_size": cluster.size,
                "endpoint": cluster.url,
                "nodes": [node_json(node) for node in cluster.nodes],
            }
        )

    async def node_action(self, request: Request) -> Response:
        self._authorize(request)
        errors: list[Detail] = []
        cluster = self._cluster(request, errors)
        # Every region has the same size: the bound is known even when the region is bad.
        size = self.service.clusters()[REGIONS[0]].size
        raw_index = str(request.path_params["index"])
        index = int(raw_index) if _INDEX.match(raw_index) else -1
        if not 0 <= index < size:
            errors.append(detail("index", "constraint", f"must be an integer from 0 to {size - 1}"))
        action = str(request.path_params["action"])
        if action not in ACTIONS:
            errors.append(detail("action", "constraint", f"must be one of {', '.join(ACTIONS)}"))
        if errors or cluster is None:
            raise invalid(errors)
        seconds = await anyio.to_thread.run_sync(self._act, cluster, index, action)
        return JSONResponse(
            {
                "region": cluster.region,
                "index": index,
                "action": action,
                "seconds": round(seconds, 4),
                "cluster_size": cluster.size,
                "endpoint": cluster.url,
                "node": node_json(cluster.nodes[index]),
            }
        )

    def _act(self, cluster: NatsCluster, index: int, action: str) -> float:
        """Blocking (a worker thread): the action, once the cluster noticed; its seconds."""
        busy = self._busy[cluster.region]
        if not busy.acquire(timeout=BUSY_TIMEOUT):
            raise Busy(f"another node action on {cluster.region} is still running")
        try:
            if action == "start":
                return cluster.start_node(index)
            return cluster.stop_node(index, kill=action == "kill")
        except NatsServerError as error:  # the cluster did not notice in time: say so
            raise Unavailable(answer=str(error)) from None
        finally:
            busy.release()

    def routes(self) -> list[Route]:
        base = ADMIN_PREFIX + "v1/regions/{region}/nodes"
        return [
            by_method(base, GET=self.list_nodes),
            by_method(base + "/{index}/{action}", POST=self.node_action),
        ]
