"""Options shared by several commands, each defined once: the global options (accepted before
and after any subcommand), `--ca-file`, and the list options `--order-by`/`--page-size`."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._output import OUTPUTS, REGION_ALL
from ..models import ORDER_BY, REGIONS
from ..nats import CA_FILE_ENV
from ._state import State

__all__ = ["add_global_options", "ca_file_option", "configure_logging", "list_options"]

F = TypeVar("F", bound=Callable[..., Any])

# name(s) -> the option's settings, the same at the root and after a subcommand.
_GLOBAL_OPTIONS: dict[tuple[str, ...], dict[str, Any]] = {
    ("--region",): {
        "type": click.Choice((*REGIONS, REGION_ALL)),
        "help": "Region (default: from config, else fr-par; all: every region, for lists).",
    },
    ("--profile",): {"help": "Profile of ~/.config/scw/config.yaml to use."},
    ("-o", "--output"): {"type": click.Choice(OUTPUTS), "help": "Output format (default: table)."},
    ("-v", "--verbose"): {"count": True, "help": "Log requests to stderr (-vv for debug)."},
}


def configure_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level)


def root_global_options(function: F) -> F:
    """The global options of the root group, passed to it as arguments."""
    for names, settings in reversed(_GLOBAL_OPTIONS.items()):
        function = click.option(*names, **settings)(function)
    return function


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Record a global option given after a subcommand (None/0: not given there)."""
    state = ctx.find_object(State)
    if state is None or not value or param.name is None:
        return
    if param.name == "verbose":
        state.verbose += value
        configure_logging(state.verbose)
    else:
        setattr(state, param.name, value)


def add_global_options(command: click.Command) -> None:
    """Give `command` and every command under it the global options (fresh copies: each
    command keeps its own), recorded into the State by `_set_global`; except one a command
    defines itself (`local serve --profile` names an emulator profile)."""
    own = {name for param in command.params for name in getattr(param, "opts", ())}
    command.params.extend(
        click.Option(list(names), expose_value=False, callback=_set_global, **settings)
        for names, settings in _GLOBAL_OPTIONS.items()
        if not own.intersection(names)
    )
    for sub in getattr(command, "commands", {}).values():
        add_global_options(sub)


ca_file_option = click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help=f"CA of the NATS server's certificate (default: ${CA_FILE_ENV}).",
)


def list_options(function: F) -> F:
    """`--order-by` and `--page-size` of the list commands."""
    # 100: operations.MAX_PAGE_SIZE, not imported here as operations loads the generated client
    function = click.option("--page-size", type=click.IntRange(1, 100), default=None)(function)
    return click.option("--order-by", type=click.Choice(ORDER_BY), default=None)(function)
