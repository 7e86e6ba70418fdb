"""Typed, immutable models returned by the API, built from the generated client's classes."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Literal, TypeVar, get_args

import attrs

from scaleway_nats_api.models.nats_account import NatsAccount as _GeneratedAccount
from scaleway_nats_api.models.nats_credentials import NatsCredentials as _GeneratedCredentials
from scaleway_nats_api.types import Unset

from ._files import write_atomic

__all__ = [
    "ORDER_BY",
    "REGIONS",
    "NatsAccount",
    "NatsCredentials",
    "OrderBy",
    "Region",
    "write_secret_file",
]

Region = Literal["fr-par", "nl-ams"]
REGIONS: tuple[Region, ...] = get_args(Region)

OrderBy = Literal[
    "created_at_asc",
    "created_at_desc",
    "updated_at_asc",
    "updated_at_desc",
    "name_asc",
    "name_desc",
]
ORDER_BY: tuple[OrderBy, ...] = get_args(OrderBy)

T = TypeVar("T")


def _value(value: T | Unset, default: T) -> T:
    return default if isinstance(value, Unset) else value


def _time(value: datetime.datetime | None | Unset) -> datetime.datetime | None:
    return None if isinstance(value, Unset) else value


@attrs.frozen
class NatsAccount:
    """A NATS account: a scope for streams, messages and credentials, with an endpoint."""

    id: str
    name: str
    endpoint: str
    project_id: str
    region: str
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @classmethod
    def from_generated(cls, account: _GeneratedAccount) -> NatsAccount:
        return cls(
            id=_value(account.id, ""),
            name=_value(account.name, ""),
            endpoint=_value(account.endpoint, ""),
            project_id=_value(account.project_id, ""),
            region=_value(account.region, ""),
            created_at=_time(account.created_at),
            updated_at=_time(account.updated_at),
        )


@attrs.frozen
class NatsCredentials:
    """Credentials of a NATS account.

    `content` (the `.creds` file: user JWT and nkey seed) is only known for
    credentials that this process created: Scaleway returns it once. It never
    shows in `repr`; use `write()` to store it.
    """

    id: str
    name: str
    nats_account_id: str
    region: str
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    checksum: str | None = None
    file_name: str | None = None
    content: str | None = attrs.field(default=None, repr=False)

    @property
    def has_content(self) -> bool:
        return self.content is not None

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the `.creds` file atomically with mode 0600; return its path.

        A directory as `path` writes `<dir>/<file name>`.
        """
        if self.content is None:
            raise ValueError(
                f"credentials {self.id} have no content: Scaleway returns the .creds file "
                "only from create_credentials()"
            )
        target = Path(path)
        if target.is_dir():
            target = target / (self.file_name or f"{self.name}.creds")
        return write_secret_file(target, self.content)

    @classmethod
    def from_generated(cls, credentials: _GeneratedCredentials) -> NatsCredentials:
        file = _value(credentials.credentials, None)
        return cls(
            id=_value(credentials.id, ""),
            name=_value(credentials.name, ""),
            nats_account_id=_value(credentials.nats_account_id, ""),
            region=_value(credentials.region, ""),
            created_at=_time(credentials.created_at),
            updated_at=_time(credentials.updated_at),
            checksum=_value(credentials.checksum, None),
            file_name=_value(file.name, None) if file is not None else None,
            content=_value(file.content, None) if file is not None else None,
        )


def write_secret_file(path: Path, content: str) -> Path:
    """Write `content` to `path` atomically, readable by the owner only (0600).

    A crash leaves either the old file or the new one, never a truncated secret.
    """
    path = path.expanduser()
    write_atomic(path, content, private=True)
    return path
