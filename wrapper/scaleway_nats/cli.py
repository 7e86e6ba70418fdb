"""`scw-nats`: the command line. Exit codes: 0 ok, 1 API or runtime error, 2 usage error.

The global options (`--region`, `--profile`, `-o/--output`, `-v`) are accepted before and
after any subcommand: `_add_global_options` adds them to every command of the tree.
"""

from __future__ import annotations

import contextlib
import logging
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from ._cluster import MAX_CLUSTER_SIZE
from ._output import OUTPUTS, REGION_ALL
from ._state_dir import state_dir_option
from ._version import __version__
from .cli_extra import credentials_in_all_regions, register_extras
from .cli_state import (
    ACCOUNT_COLUMNS,
    CREDENTIALS_COLUMNS,
    State,
    pass_state,
)
from .cli_state import emit as _emit
from .cli_state import render as _render
from .cli_state import render_list as _render_list
from .facts import MAX_ACCOUNTS, PAGE_SIZE_MAX
from .models import (
    MAX_FILE_NAME_BYTES,
    ORDER_BY,
    REGIONS,
    creds_file_name,
    write_secret_file,
)
from .nats import CA_FILE_ENV, connect, save_context

if TYPE_CHECKING:
    from .quickstart import QuickstartResult, StepResult

# Cold start (issue 13): `scw-nats --help` loads click, the models and this module only. The
# client (httpx, the generated code), the quickstart and the emulator are imported by the
# commands that use them; `nats` here is light (nats-py itself loads on connect).

F = TypeVar("F", bound=Callable[..., Any])

_REGION_HELP = "Region (default: from config, else fr-par; all: every region, for lists)."


class _Group(click.Group):
    """Turns expected failures (API, file system, bad values, no emulator, a missing extra)
    into a one-line message and exit code 1: users read a cause, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import ScalewayError  # a command runs: the client is about to be loaded

        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:  # `--help` of a subcommand: a RuntimeError, not a failure
            raise
        except (ScalewayError, OSError, ValueError, RuntimeError, ImportError) as error:
            raise click.ClickException(str(error)) from None


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Record a global option given after a subcommand (None/0: not given there)."""
    state = ctx.find_object(State)
    if state is None or not value or param.name is None:
        return
    if param.name == "verbose":
        state.verbose += value
        _configure_logging(state.verbose)
    else:
        setattr(state, param.name, value)


def _global_options() -> list[click.Option]:
    """Fresh copies of the global options, for one command (each keeps its own)."""
    return [
        click.Option(
            ["--region"],
            type=click.Choice((*REGIONS, REGION_ALL)),
            help=_REGION_HELP,
            expose_value=False,
            callback=_set_global,
        ),
        click.Option(
            ["--profile"],
            help="Profile of ~/.config/scw/config.yaml to use.",
            expose_value=False,
            callback=_set_global,
        ),
        click.Option(
            ["-o", "--output"],
            type=click.Choice(OUTPUTS),
            help="Output format (default: table).",
            expose_value=False,
            callback=_set_global,
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            help="Log requests to stderr (-vv for debug).",
            expose_value=False,
            callback=_set_global,
        ),
    ]


def _add_global_options(command: click.Command) -> None:
    """Give every command under `command` the global options (at the root they already are)."""
    for sub in getattr(command, "commands", {}).values():
        sub.params.extend(_global_options())
        _add_global_options(sub)


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--region", type=click.Choice((*REGIONS, REGION_ALL)), help=_REGION_HELP)
@click.option("--profile", help="Profile of ~/.config/scw/config.yaml to use.")
@click.option("-o", "--output", type=click.Choice(OUTPUTS), default="table", show_default=True)
@click.option("-v", "--verbose", count=True, help="Log requests to stderr (-vv for debug).")
@click.version_option(__version__, prog_name="scw-nats")
@click.pass_context
def cli(
    ctx: click.Context, region: str | None, profile: str | None, output: str, verbose: int
) -> None:
    """Scaleway NATS accounts and credentials, and a local emulator of the service.

    Global options go before or after the subcommand.
    """
    _configure_logging(verbose)
    state = State(region, profile, output, verbose)
    ctx.obj = state
    ctx.call_on_close(state.close)


# -- accounts --------------------------------------------------------------------------------


@cli.group()
def account() -> None:
    """NATS accounts: scopes for streams, messages and credentials."""


@account.command("create")
@click.option("--name", help="Account name (generated when omitted).")
@click.option("--project-id", help="Project (default: SCW_DEFAULT_PROJECT_ID).")
@pass_state
def account_create(state: State, name: str | None, project_id: str | None) -> None:
    """Create a NATS account."""
    _render(state, [state.api().create_account(name, project_id, state.region)], ACCOUNT_COLUMNS)


@account.command("list")
@click.option("--project-id", help="Only this project's accounts.")
@click.option("--order-by", type=click.Choice(ORDER_BY), default=None)
@click.option("--page-size", type=click.IntRange(1, PAGE_SIZE_MAX), default=None)
@pass_state
def account_list(
    state: State, project_id: str | None, order_by: Any, page_size: int | None
) -> None:
    """List every NATS account (all pages; --region all: of every region)."""
    if state.region == REGION_ALL:
        found = state.api(any_region=True).list_accounts_all_regions(
            project_id, order_by, page_size
        )
        return _render_list(state, found, ACCOUNT_COLUMNS)
    pager = state.api().list_accounts(project_id, order_by, page_size, state.region)
    _render_list(state, pager, ACCOUNT_COLUMNS)


@account.command("get")
@click.argument("account_id")
@pass_state
def account_get(state: State, account_id: str) -> None:
    """Show one NATS account."""
    _render(state, [state.api().get_account(account_id, state.region)], ACCOUNT_COLUMNS)


@account.command("update")
@click.argument("account_id")
@click.option("--name", required=True, help="New name.")
@pass_state
def account_update(state: State, account_id: str, name: str) -> None:
    """Rename a NATS account."""
    _render(state, [state.api().update_account(account_id, name, state.region)], ACCOUNT_COLUMNS)


@account.command("delete")
@click.argument("account_id")
@pass_state
def account_delete(state: State, account_id: str) -> None:
    """Delete a NATS account with its credentials, streams and messages."""
    state.api().delete_account(account_id, state.region)
    _emit(
        state, {"deleted": "nats_account", "id": account_id}, f"deleted NATS account {account_id}"
    )


# -- credentials -----------------------------------------------------------------------------


@cli.group()
def credentials() -> None:
    """NATS credentials: .creds files that any NATS client connects with."""


def _writable_folder(folder: Path) -> None:
    """Fail now (before anything is created) unless a file can be written in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".scw-nats-check-"):
        pass


def _creds_target(creds_file: Path | None, name: str | None) -> tuple[Path, bool]:
    """Where the .creds file goes, checked before the create: (path, whether it is a folder
    whose file name is only known once the server has named the credentials)."""
    chosen = creds_file if creds_file is not None else Path.cwd()
    if chosen.is_dir():
        _writable_folder(chosen)
        if name is None:
            return chosen, True
        chosen = chosen / creds_file_name(name)
    if len(chosen.name.encode()) > MAX_FILE_NAME_BYTES:
        raise click.BadParameter(
            f"file name longer than {MAX_FILE_NAME_BYTES} bytes", param_hint="'--creds-file'"
        )
    if chosen.exists():
        raise click.BadParameter(
            f"{chosen} exists: choose another path or remove it (it may hold another secret)",
            param_hint="'--creds-file'",
        )
    _writable_folder(chosen.parent)
    return chosen, False


@credentials.command("create")
@click.argument("account_id")
@click.option("--name", help="Credentials name (generated when omitted).")
@click.option(
    "--creds-file",
    type=click.Path(dir_okay=True, path_type=Path),
    help="Where to write the .creds file (a file, or a folder: default ./NAME.creds), mode 0600.",
)
@click.option("--show-secret", is_flag=True, help="Also print the .creds content.")
@pass_state
def credentials_create(
    state: State, account_id: str, name: str | None, creds_file: Path | None, show_secret: bool
) -> None:
    """Create credentials and write their .creds file (the path is checked first)."""
    path, is_folder = _creds_target(creds_file, name)
    api = state.api()
    created = api.create_credentials(account_id, name, state.region)
    if is_folder:
        path = path / creds_file_name(created.name)
        if path.exists():  # the server chose the name: never overwrite another secret
            path = path.with_name(f"{path.stem}-{created.id[:8]}.creds")
    try:  # never replaces: a file that appeared since the check above is left alone
        write_secret_file(path, created.content or "", overwrite=False)
    except OSError as error:
        from .errors import ScalewayError

        try:
            api.delete_credentials(created, state.region)
        except ScalewayError as cleanup:
            raise click.ClickException(
                f"cannot write {path} ({error.strerror or error}); deleting credentials "
                f"{created.id} on the server failed too ({cleanup}): their secret is lost, "
                f"delete them with `scw-nats credentials delete {created.id}`"
            ) from None
        raise click.ClickException(
            f"cannot write {path} ({error.strerror or error}): credentials {created.id} "
            "deleted on the server, nothing created; retry with another --creds-file or once fixed"
        ) from None
    click.echo(f"wrote {path} (mode 0600)", err=True)
    _render(state, [created], CREDENTIALS_COLUMNS, show_secret=show_secret)
    if show_secret and not state.structured and created.content:
        click.echo(created.content)


@credentials.command("list")
@click.argument("account_id", required=False)
@click.option("--account-id", "account_option", help="Same as ACCOUNT_ID.")
@click.option("--project-id", help="Only this project's credentials.")
@click.option("--order-by", type=click.Choice(ORDER_BY), default=None)
@click.option("--page-size", type=click.IntRange(1, PAGE_SIZE_MAX), default=None)
@pass_state
def credentials_list(
    state: State,
    account_id: str | None,
    account_option: str | None,
    project_id: str | None,
    order_by: Any,
    page_size: int | None,
) -> None:
    """List credentials metadata (never their content), of ACCOUNT_ID when given."""
    if account_id and account_option and account_id != account_option:
        raise click.UsageError("ACCOUNT_ID and --account-id differ: give one of them")
    chosen = account_id or account_option
    if state.region == REGION_ALL:
        found = credentials_in_all_regions(state, chosen, project_id, order_by)
        return _render_list(state, found, CREDENTIALS_COLUMNS)
    pager = state.api().list_credentials(chosen, project_id, order_by, page_size, state.region)
    _render_list(state, pager, CREDENTIALS_COLUMNS)


@credentials.command("get")
@click.argument("credentials_id")
@pass_state
def credentials_get(state: State, credentials_id: str) -> None:
    """Show credentials metadata."""
    found = state.api().get_credentials(credentials_id, state.region)
    _render(state, [found], CREDENTIALS_COLUMNS)


@credentials.command("delete")
@click.argument("credentials_id")
@pass_state
def credentials_delete(state: State, credentials_id: str) -> None:
    """Revoke credentials: their connections are closed."""
    state.api().delete_credentials(credentials_id, state.region)
    _emit(
        state,
        {"deleted": "nats_credentials", "id": credentials_id},
        f"deleted NATS credentials {credentials_id}",
    )


# -- quickstart, contexts, pub/sub -----------------------------------------------------------


def _quickstart_json(result: QuickstartResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "target": result.target,
        "where": result.where,
        "region": result.region,
        "message": result.message,
        "seconds": round(result.seconds, 4),
        "account_id": result.account.id if result.account else None,
        "credentials_file": str(result.credentials_file) if result.credentials_file else None,
        "steps": [attrs.asdict(step) for step in result.steps],
    }


@cli.command("quickstart")
@click.option("--local/--scaleway", "local", default=None, help="Force the emulator or Scaleway.")
@click.option("--keep", is_flag=True, help="Keep the account, credentials and .creds file.")
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help=f"CA of the NATS server's certificate (default: ${CA_FILE_ENV}).",
)
@pass_state
def quickstart_command(state: State, local: bool | None, keep: bool, ca_file: str | None) -> None:
    """Create an account and credentials, connect over TLS, pub/sub, JetStream, clean up."""
    from .quickstart import format_step, quickstart

    def print_step(step: StepResult) -> None:  # with -o json, progress goes to stderr
        click.secho(format_step(step), fg=None if step.ok else "red", err=state.structured)

    result = quickstart(
        local=local,
        keep=keep,
        region=state.region,
        profile=state.profile,
        ca_file=ca_file,
        on_step=print_step,
    )
    if state.structured:
        click.echo(state.dump(_quickstart_json(result)))
    if not result.ok:
        failed = result.failed_step
        raise click.ClickException(
            f"quickstart failed at '{failed.name if failed else '?'}' against {result.where}"
        )
    if not state.structured:
        kept = f"kept account {result.account.id if result.account else '?'}"
        if result.credentials_file:
            kept += f" and {result.credentials_file}"
        click.echo(
            f"Received {result.message!r} via {result.where} ({result.region}) "
            f"in {result.seconds * 1000:.0f} ms; "
            + (kept if keep else "everything created was deleted")
        )


@cli.group()
def context() -> None:
    """natscli contexts."""


@context.command("save")
@click.argument("name")
@click.option("--account-id", required=True)
@click.option("--creds", "creds_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help=f"CA of the NATS server's certificate (default: ${CA_FILE_ENV}).",
)
@click.option("--force", is_flag=True, help="Replace an existing context of that name.")
@pass_state
def context_save(
    state: State, name: str, account_id: str, creds_file: str, ca_file: str | None, force: bool
) -> None:
    """Write a natscli context so `nats --context NAME` reaches the account."""
    found = state.api().get_account(account_id, state.region)
    path = save_context(name, found, creds_file, ca_file, force=force)
    _emit(state, {"context": name, "path": str(path)}, str(path), err=False)


def _connection_options(function: F) -> F:
    function = click.option(
        "--ca-file",
        type=click.Path(exists=True, dir_okay=False),
        help=f"CA of the NATS server's certificate (default: ${CA_FILE_ENV}).",
    )(function)
    function = click.option(
        "--creds", "creds_file", required=True, type=click.Path(exists=True, dir_okay=False)
    )(function)
    return click.option("-s", "--server", required=True, help="NATS URL (the account endpoint).")(
        function
    )


@cli.command("pub")
@_connection_options
@click.argument("subject")
@click.argument("message")
@pass_state
def pub(
    state: State, server: str, creds_file: str, ca_file: str | None, subject: str, message: str
) -> None:
    """Publish MESSAGE on SUBJECT."""
    import asyncio

    async def run() -> None:
        client = await connect(server, creds_file, ca_file)
        try:
            await client.publish(subject, message.encode())
            await client.flush()
        finally:
            await client.close()

    asyncio.run(run())
    size = len(message.encode())
    _emit(
        state,
        {"published": True, "subject": subject, "bytes": size},
        f'Published {size} bytes to "{subject}"',
    )


@cli.command("sub")
@_connection_options
@click.argument("subject")
@click.option(
    "--count", type=click.IntRange(0), default=0, help="Stop after N messages (0: never)."
)
@click.option(
    "--timeout", type=click.FloatRange(0), default=0, help="Stop after S seconds (0: never)."
)
@pass_state
def sub(
    state: State,
    server: str,
    creds_file: str,
    ca_file: str | None,
    subject: str,
    count: int,
    timeout: float,
) -> None:
    """Print messages received on SUBJECT until --count or --timeout (or Ctrl-C).

    Exits 1 when --timeout ends before --count messages came. With -o json, one JSON
    object per message and line: subject, data, reply.
    """
    import asyncio

    def show(number: int, message: Any) -> None:
        data = message.data.decode(errors="replace")
        if state.structured:
            record = {"subject": message.subject, "data": data, "reply": message.reply or None}
            click.echo(state.dump(record, line=True))
        else:
            click.echo(f'[#{number}] Received on "{message.subject}"')
            click.echo(data)

    async def run() -> int:
        client = await connect(server, creds_file, ca_file)
        received = 0
        try:
            subscription = await client.subscribe(subject)
            await client.flush()
            click.echo(f'Subscribing on "{subject}"', err=True)
            deadline = asyncio.get_running_loop().time() + timeout if timeout else None
            while not count or received < count:
                left = deadline - asyncio.get_running_loop().time() if deadline else 3600.0
                if left <= 0:
                    break
                try:
                    message = await subscription.next_msg(timeout=left)
                except asyncio.TimeoutError:
                    continue
                received += 1
                show(received, message)
        finally:
            await client.close()
        return received

    received = 0
    with contextlib.suppress(KeyboardInterrupt):
        received = asyncio.run(run())
    if count and timeout and received < count:  # scripts can tell a silent subject
        raise click.ClickException(f"received {received} of {count} messages in {timeout:g} s")


# -- the local emulator ----------------------------------------------------------------------


@cli.group()
def local() -> None:
    """The local emulator of Scaleway NATS (needs the `local` extra)."""


def _emulator_import_error(error: ImportError) -> click.ClickException:
    return click.ClickException(str(error))


# LocalScaleway's per-account JetStream limits; unset, Scaleway's published quotas (local/jwt.py
# Limits, with their source). max_payload: nats-server takes at most 64 MB, its default
# max_pending (docs.nats.io/reference/config/max_payload).
_LIMIT_OPTIONS = {
    "max_streams": ("Streams per account", click.IntRange(0)),
    "max_consumers": ("Consumers per stream (an account limit)", click.IntRange(0)),
    "max_storage": ("Bytes of file storage per account, replicas counted", click.IntRange(0)),
    "max_memory": ("Bytes of memory storage per account", click.IntRange(0)),
    "max_payload": ("Bytes per message", click.IntRange(1, 64 * 1024 * 1024)),
}


def _limit_options(function: F) -> F:
    for name, (what, kind) in reversed(_LIMIT_OPTIONS.items()):
        option = click.option(
            "--" + name.replace("_", "-"),
            name,
            type=kind,
            default=None,
            help=f"{what} (default: Scaleway's quota).",
        )
        function = option(function)
    return function


@local.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--api-port", type=click.IntRange(0, 65535), default=0, help="0: any free port.")
@state_dir_option("Where the emulator keeps its accounts, keys and CA.")
@click.option("--max-accounts", type=click.IntRange(1), default=MAX_ACCOUNTS, show_default=True)
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option(
    "--propagation-delay",
    type=click.FloatRange(0, 60),
    default=0.0,
    show_default=True,
    help="Seconds before a new resource is visible and active (Scaleway is eventually consistent).",
)
@click.option(
    "--read-lag",
    type=click.FloatRange(0, 60),
    default=0.0,
    show_default=True,
    help="Seconds during which a GET of a new resource may answer 404 now and then, as the "
    "live API does (seeded: the same run, the same answers).",
)
@click.option(
    "--tls", is_flag=True, help="Serve the API over HTTPS (HTTP/2 and HTTP/1.1), CA: ca_file."
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(0, 1000),
    default=0.0,
    show_default=True,
    help="One-way delay added to every API request and answer (a round trip: twice).",
)
@click.option(
    "--cluster",
    "cluster_size",
    type=click.IntRange(1, MAX_CLUSTER_SIZE),
    default=1,
    show_default=True,
    help="nats-servers per region, joined in a JetStream cluster behind the one endpoint "
    "(1: a single server). Break them with `scw-nats local node stop|start|kill`.",
)
@_limit_options
def local_serve(
    host: str,
    api_port: int,
    state_dir: Path | None,
    max_accounts: int,
    fault_rate: float,
    propagation_delay: float,
    read_lag: float,
    tls: bool,
    latency_ms: float,
    cluster_size: int,
    **limits: int | None,
) -> None:
    """Serve the API and NATS in the foreground; print one JSON line when ready.

    Then `eval "$(scw-nats local env)"` points the CLI and the SDKs at it.
    """
    try:
        from .local.serve import serve
    except ImportError as error:
        raise _emulator_import_error(error) from None
    # Passed only when set: an emulator without the setting still serves by default.
    settings: dict[str, Any] = {"propagation_delay": propagation_delay} if propagation_delay else {}
    if read_lag:
        settings["read_lag"] = read_lag
    if tls:
        settings["tls"] = True
    if latency_ms:
        settings["latency_ms"] = latency_ms
    if cluster_size != 1:
        settings["cluster_size"] = cluster_size
    settings.update({name: value for name, value in limits.items() if value is not None})
    sys.exit(
        serve(
            host=host,
            api_port=api_port,
            state_dir=state_dir,
            max_accounts=max_accounts,
            fault_rate=fault_rate,
            **settings,
        )
    )


_STATE_DIR_OPTION = state_dir_option("The state dir `local serve` was given.")

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
    from .config import DEFAULT_REGION  # here: config loads yaml, which --help does not need

    try:
        from .local.serve import running_info
    except ImportError as error:
        raise _emulator_import_error(error) from None
    info = running_info(state_dir, wait=wait)
    variables = {name: str(info[key]) for name, key in ENV_FROM_SERVE.items()}
    # The official SDK has no default region ("Path parameter region is required"); ours has.
    variables["SCW_DEFAULT_REGION"] = state.region or DEFAULT_REGION
    if state.structured:
        click.echo(state.dump(variables))
        return
    click.echo(f"# scaleway-nats local emulator at {info['api_url']} (PID {info['pid']})")
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


def _node_command(action: str, summary: str) -> None:
    @local_node.command(action, help=summary + " Returns once the cluster noticed.")
    @_REGION_ARGUMENT
    @click.argument("index", type=click.IntRange(0))
    @_STATE_DIR_OPTION
    @pass_state
    def command(state: State, node_region: str, index: int, state_dir: Path | None) -> None:
        region = node_region
        try:
            from .local.control import node_action
            from .local.serve import running_info
        except ImportError as error:
            raise _emulator_import_error(error) from None
        done = node_action(running_info(state_dir), region, index, action)
        _emit(
            state,
            done,
            f"{_DONE[action]} node {index} of {region} ({done['node']['url']}); "
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
    region = node_region
    try:
        from .local.control import list_nodes
        from .local.serve import running_info
    except ImportError as error:
        raise _emulator_import_error(error) from None
    found = list_nodes(running_info(state_dir), region)
    if state.structured:
        click.echo(state.dump(found))
        return
    click.echo(f"# {region}: endpoint {found['endpoint']}, cluster_size {found['cluster_size']}")
    for node in found["nodes"]:
        status = "running" if node["running"] else "down"
        click.echo(f"{node['index']}  {node['url']}  {status}")


register_extras(account, credentials, context)
_add_global_options(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="scw-nats")
