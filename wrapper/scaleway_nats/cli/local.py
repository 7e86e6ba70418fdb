"""`scw-nats local ...`: `serve` (mounted from scaleway_nats.local.cli, loaded on use), `env`
and `node` acting on a running `local serve`."""

from __future__ import annotations

import copy
import importlib
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from .._state_dir import state_dir_option
from ..models import REGIONS
from ..nats import CA_FILE_ENV
from ._options import add_global_options
from ._state import State, emit, pass_state

if TYPE_CHECKING:
    from ..local.serve import ServeInfo

__all__ = ["ENV_FROM_SERVE", "local"]


class _LocalGroup(click.Group):
    """Mounts the commands living beside the emulator when first used, so that `scw-nats
    --help` and `scw-nats local --help` load neither the emulator nor the `local` extra."""

    # name -> (module, attribute, short help shown before it is loaded)
    mounted: ClassVar[dict[str, tuple[str, str, str]]] = {
        "serve": (
            "scaleway_nats.local.cli",
            "serve_command",
            "Serve the API and NATS in the foreground; print one JSON line when ready.",
        )
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.mounted})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.mounted and cmd_name not in self.commands:
            module, attribute, _ = self.mounted[cmd_name]
            # A copy: the global options are added to it, not to `python -m`'s command.
            command = copy.copy(getattr(importlib.import_module(module), attribute))
            command.params = list(command.params)
            add_global_options(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                stand_in = click.Command(name, help=self.mounted[name][2])  # same truncation
                rows.append((name, stand_in.get_short_help_str(limit)))
            else:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LocalGroup)
def local() -> None:
    """The local emulator of Scaleway NATS (needs the `local` extra)."""


_STATE_DIR_OPTION = state_dir_option("The state dir `local serve` was given.")


def _running(state_dir: Path | None, wait: float = 0.0) -> ServeInfo:
    """The running emulator's record; its absence is a one-line error."""
    from ..local.serve import NotServingError, running_info

    try:
        return running_info(state_dir, wait=wait)
    except NotServingError as error:
        raise click.ClickException(str(error)) from None


# What `local env` exports, from the fields of `local serve`'s JSON line.
ENV_FROM_SERVE = {
    "SCW_SECRET_KEY": "secret_key",
    "SCW_ACCESS_KEY": "access_key",
    "SCW_DEFAULT_PROJECT_ID": "project_id",
    "SCW_DEFAULT_ORGANIZATION_ID": "organization_id",
    "SCW_API_URL": "api_url",
    CA_FILE_ENV: "ca_file",
}


@local.command("env")
@_STATE_DIR_OPTION
@click.option(
    "--wait",
    type=click.FloatRange(0, 600),
    default=0.0,
    help="Seconds to wait for the emulator to be ready (e.g. just started with &).",
)
@pass_state
def local_env(state: State, state_dir: Path | None, wait: float) -> None:
    """Print shell exports (the secret key included) pointing at a running `local serve`.

    Use: eval "$(scw-nats local env)". With -o json, the same variables as a JSON object.
    """
    from ..config import DEFAULT_REGION  # here: config loads yaml, which --help does not need

    info = _running(state_dir, wait)
    variables = {name: str(getattr(info, key)) for name, key in ENV_FROM_SERVE.items()}
    # The official SDK has no default region ("Path parameter region is required"); ours has.
    variables["SCW_DEFAULT_REGION"] = state.region or DEFAULT_REGION
    if state.structured:
        click.echo(state.dump(variables))
        return
    click.echo(f"# scaleway-nats local emulator at {info.api_url} (PID {info.pid})")
    for name, value in variables.items():
        click.echo(f"export {name}={shlex.quote(value)}")


@local.group("node")
def local_node() -> None:
    """Break the nodes of a running `local serve` (see its --cluster), for failover tests."""


# Named apart from the global --region option (which would overwrite it).
_REGION_ARGUMENT = click.argument("node_region", metavar="REGION", type=click.Choice(REGIONS))
_DONE = {"stop": "stopped", "kill": "killed", "start": "started"}
_NOTICED = {
    "stop": "the rest of its cluster noticed",
    "kill": "the rest of its cluster noticed",
    "start": "it rejoined its cluster",
}


def _ask(state_dir: Path | None, region: str, action: str, index: int = 0) -> dict[str, Any]:
    """Ask the running emulator's admin API: `list` the region's nodes, or act on one."""
    from ..local.control import NodeControlError, list_nodes, node_action

    info = _running(state_dir)
    try:
        if action == "list":
            return list_nodes(info, region)
        return node_action(info, region, index, action)
    except NodeControlError as error:
        raise click.ClickException(str(error)) from None


def _node_command(action: str, summary: str) -> None:
    @local_node.command(action, help=summary + " Returns once the cluster noticed.")
    @_REGION_ARGUMENT
    @click.argument("index", type=click.IntRange(0))
    @_STATE_DIR_OPTION
    @pass_state
    def command(state: State, node_region: str, index: int, state_dir: Path | None) -> None:
        done = _ask(state_dir, node_region, action, index)
        emit(
            state,
            done,
            f"{_DONE[action]} node {index} of {node_region} ({done['node']['url']}); "
            f"{_NOTICED[action]} in {done['seconds']:.2f} s",
            err=False,
        )


_node_command("stop", "Stop node INDEX (0-based) of REGION cleanly (SIGTERM); it stays down.")
_node_command("kill", "Kill node INDEX (0-based) of REGION (SIGKILL, a crash); it stays down.")
_node_command("start", "Start node INDEX (0-based) of REGION again.")


@local_node.command("list")
@_REGION_ARGUMENT
@_STATE_DIR_OPTION
@pass_state
def local_node_list(state: State, node_region: str, state_dir: Path | None) -> None:
    """The nodes of REGION: index, URL and whether each runs."""
    found = _ask(state_dir, node_region, "list")
    if state.structured:
        click.echo(state.dump(found))
        return
    region = node_region
    click.echo(f"# {region}: endpoint {found['endpoint']}, cluster_size {found['cluster_size']}")
    for node in found["nodes"]:
        status = "running" if node["running"] else "down"
        click.echo(f"{node['index']}  {node['url']}  {status}")
