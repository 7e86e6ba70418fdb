"""`scw-nats pub` and `scw-nats sub`: publish and receive with a .creds file, over TLS."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..nats import connect
from ._options import ca_file_option
from ._state import State, emit, pass_state

__all__ = ["pub", "sub"]

F = TypeVar("F", bound=Callable[..., Any])


def _connection_options(function: F) -> F:
    function = ca_file_option(function)
    function = click.option(
        "--creds", "creds_file", required=True, type=click.Path(exists=True, dir_okay=False)
    )(function)
    return click.option("-s", "--server", required=True, help="NATS URL (the account endpoint).")(
        function
    )


@click.command("pub")
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
    emit(
        state,
        {"published": True, "subject": subject, "bytes": size},
        f'Published {size} bytes to "{subject}"',
    )


@click.command("sub")
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
                except TimeoutError:
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
