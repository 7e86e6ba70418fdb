"""The scenario registry: name -> function of the shared `Bench` returning table rows.

One module per scenario family; `--only NAME` picks from these keys, run in this order.
"""

from __future__ import annotations

from collections.abc import Callable

from ..measuring import Result
from ..peers import Bench
from .coldstart import scenario_coldstart
from .create import scenario_create
from .get import scenario_get
from .listing import scenario_list
from .memory import scenario_memory
from .network import scenario_network
from .overhead import scenario_overhead
from .quickstart import scenario_quickstart
from .rotation import scenario_rotation
from .startup import scenario_startup

SCENARIOS: dict[str, Callable[[Bench], list[Result]]] = {
    "get": scenario_get,
    "list": scenario_list,
    "create": scenario_create,
    "quickstart": scenario_quickstart,
    "overhead": scenario_overhead,
    "network": scenario_network,
    "coldstart": scenario_coldstart,
    "startup": scenario_startup,
    "rotation": scenario_rotation,
    # Last: its 50,000 seeded rows slow every later listing of the emulator (~4x per page).
    "memory": scenario_memory,
}
