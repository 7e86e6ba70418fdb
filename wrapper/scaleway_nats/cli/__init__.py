"""`scw-nats`: the command line. Exit codes: 0 ok, 1 API or runtime error, 2 usage error.

One module per command group (`account`, `credentials`, `context`, `messages`: pub/sub,
`quickstart`, `local`), the root group and the errors it turns into messages in `_root`,
options shared by several commands in `_options`, the State and output in `_state`.
The global options (`--region`, `--profile`, `-o/--output`, `-v`) are accepted before and
after any subcommand: `add_global_options` gives them to every command of the tree.

Cold start (issue 13): `scw-nats --help` loads click, the models and these modules only. The
client (httpx, the generated code), the quickstart and the emulator are imported by the
commands that use them; `nats` here is light (nats-py itself loads on connect).
"""

from __future__ import annotations

from . import account, context, credentials, local, messages, quickstart
from ._options import add_global_options
from ._root import cli, main
from ._state import ACCOUNT_COLUMNS, CREDENTIALS_COLUMNS, State

__all__ = ["ACCOUNT_COLUMNS", "CREDENTIALS_COLUMNS", "State", "cli", "main"]

# Attributes of this package stay the modules (for monkeypatch paths); the groups are theirs.
for _command in (
    account.account,
    credentials.credentials,
    context.context,
    quickstart.quickstart_command,
    messages.pub,
    messages.sub,
    local.local,
):
    cli.add_command(_command)
    add_global_options(_command)
