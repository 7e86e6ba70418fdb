"""The root group `scw-nats`: global options, the State, and which errors become messages."""

from __future__ import annotations

from typing import Any

import click

from .._version import __version__
from ._options import configure_logging, root_global_options
from ._state import State

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Turns our own errors into a one-line message and exit code 1: the API's and the
    client's (ScalewayError, ConfigurationError included), the file system's (OSError) and a
    missing `local` extra. Any other exception is a bug and keeps its traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        # Here, not at the top: a command runs, so the client is about to be loaded anyway.
        from .._extra import MissingExtraError
        from ..errors import ScalewayError

        try:
            return super().invoke(ctx)
        except (ScalewayError, OSError, MissingExtraError) as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@root_global_options
@click.version_option(__version__, prog_name="scw-nats")
@click.pass_context
def cli(
    ctx: click.Context, region: str | None, profile: str | None, output: str | None, verbose: int
) -> None:
    """Scaleway NATS accounts and credentials, and a local emulator of the service.

    Global options go before or after the subcommand.
    """
    configure_logging(verbose)
    state = State(region, profile, output or "table", verbose)
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="scw-nats")
