"""The CLI's machine-readable outputs: `-o json` and `-o yaml` (as scw has), beside tables."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["OUTPUTS", "REGION_ALL", "dump"]

OUTPUTS = ("table", "json", "yaml")
# `--region all`: every region at once, for the list commands (scw's `region=all`).
REGION_ALL = "all"


def dump(output: str, data: Any, *, line: bool = False) -> str:
    """`data` as JSON or YAML text. `line`: one record of a stream (a JSON line, or a YAML
    document opened by `---`), for commands that print as they receive."""
    if output == "yaml":
        import yaml  # a dependency, loaded only when asked for (cold start)

        text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, explicit_start=line)
        return text.rstrip("\n")
    return json.dumps(data) if line else json.dumps(data, indent=2)
