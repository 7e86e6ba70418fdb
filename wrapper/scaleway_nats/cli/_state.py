"""The CLI's shared state and output: the global options' values, the client built from them,
and how records are shown (table, JSON or YAML). Used by every command module."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import click

from .._output import REGION_ALL, dump
from ..models import NatsAccount, NatsCredentials

if TYPE_CHECKING:
    from ..api import NatsAPI

__all__ = [
    "ACCOUNT_COLUMNS",
    "CREDENTIALS_COLUMNS",
    "State",
    "emit",
    "pass_state",
    "record",
    "render",
    "render_list",
    "table",
]

ACCOUNT_COLUMNS = ("id", "name", "region", "project_id", "endpoint", "created_at")
CREDENTIALS_COLUMNS = ("id", "name", "region", "nats_account_id", "checksum", "created_at")


@attrs.define
class State:
    """Global options, and the client built from them on first use."""

    region: str | None
    profile: str | None
    output: str
    verbose: int = 0
    _api: NatsAPI | None = None

    @property
    def structured(self) -> bool:
        """JSON or YAML: data for programs, not a table."""
        return self.output != "table"

    def dump(self, data: Any, *, line: bool = False) -> str:
        return dump(self.output, data, line=line)

    def api(self, *, any_region: bool = False) -> NatsAPI:
        if self.region == REGION_ALL and not any_region:
            raise click.UsageError("--region all applies to `account list` and `credentials list`")
        if self._api is None:
            from ..api import NatsAPI

            region = None if self.region == REGION_ALL else self.region
            self._api = NatsAPI(region=region, profile=self.profile)
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()


pass_state = click.make_pass_decorator(State)


def plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def record(item: NatsAccount | NatsCredentials, show_secret: bool = False) -> dict[str, Any]:
    data = {key: plain(value) for key, value in attrs.asdict(item).items()}
    if isinstance(item, NatsCredentials) and not show_secret:
        data.pop("content", None)
    return data


def cell(value: Any) -> str:
    """A table cell on one line: control characters (a newline in a name) shown escaped."""
    text = str(value or "")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def render(
    state: State,
    items: Iterable[NatsAccount | NatsCredentials],
    columns: Sequence[str],
    *,
    show_secret: bool = False,
) -> None:
    records = [record(item, show_secret) for item in items]
    if state.structured:
        click.echo(state.dump(records if len(records) != 1 else records[0]))
        return
    table(columns, [[found.get(column) for column in columns] for found in records])


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows under upper-cased column titles, each column as wide as its widest cell."""
    cells = [[cell(value) for value in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    for row in [[c.upper() for c in columns], *cells]:
        click.echo("  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip())


def emit(state: State, data: dict[str, Any], text: str, *, err: bool = True) -> None:
    """A command's outcome: `data` as JSON on stdout with -o json, else `text` (on stderr by
    default: a message for people, not data)."""
    if state.structured:
        click.echo(state.dump(data))
    else:
        click.echo(text, err=err)


def render_list(
    state: State, items: Iterable[NatsAccount | NatsCredentials], columns: Sequence[str]
) -> None:
    if state.structured:
        click.echo(state.dump([record(item) for item in items]))
    else:
        render(state, items, columns)
