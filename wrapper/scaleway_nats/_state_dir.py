"""Where `scw-nats local serve` keeps its state by default, and the `--state-dir` option.

The default is platformdirs' user data dir (`~/.local/share/scaleway-nats/local` on Linux).
platformdirs belongs to the `local` extra and takes tens of ms to import, so it is imported
only when the path is needed: `--help` computes it when shown, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["default_state_dir", "state_dir_option"]

F = TypeVar("F", bound=Callable[..., Any])


def default_state_dir() -> Path:
    """The state dir `local serve`, `local env` and `local node` use when given none."""
    import platformdirs  # the `local` extra; see the module docstring

    return Path(platformdirs.user_data_dir("scaleway-nats")) / "local"


def _describe_default() -> str:
    try:
        return str(default_state_dir())
    except ImportError:  # no `local` extra: say where it would be
        return "scaleway-nats/local in your user data dir"


class _StateDirOption(click.Option):
    """`--state-dir`, whose help names the default path, computed only when help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        names, text = record
        return names, f"{text} (default: {_describe_default()})"


def state_dir_option(text: str) -> Callable[[F], F]:
    """A `--state-dir` option; relative paths become absolute, so that the paths the
    emulator prints (its CA file) still work after a `cd`."""
    return click.option(
        "--state-dir",
        cls=_StateDirOption,
        type=click.Path(file_okay=False, path_type=Path, resolve_path=True),
        default=None,
        help=text,
    )
