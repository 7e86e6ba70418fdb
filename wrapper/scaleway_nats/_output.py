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

        # Non-ASCII names stay readable, except where PyYAML's quoting would change them: it
        # writes NEL (U+0085) raw inside quotes, which reads back as a line break.
        readable = not _has(data, _MISQUOTED)
        text: str = yaml.safe_dump(
            data, sort_keys=False, allow_unicode=readable, explicit_start=line
        )
        return text.rstrip("\n")
    return json.dumps(data) if line else json.dumps(data, indent=2)


_MISQUOTED = "\x85"  # found by tests/unit/test_output.py (hypothesis)


def _has(data: Any, characters: str) -> bool:
    """Whether any text in `data` (keys included) holds one of `characters`."""
    if isinstance(data, str):
        return any(c in data for c in characters)
    if isinstance(data, dict):
        return any(_has(k, characters) or _has(v, characters) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(_has(item, characters) for item in data)
    return False
