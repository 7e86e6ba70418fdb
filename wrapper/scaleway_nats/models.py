"""Typed, immutable models returned by the API, parsed from its JSON objects."""

from __future__ import annotations

import datetime
import errno
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
from dateutil.parser import isoparse

from ._files import write_atomic
from .facts import ORDERS, REGIONS

__all__ = [
    "ORDER_BY",
    "REGIONS",
    "NatsAccount",
    "NatsCredentials",
    "OrderBy",
    "Region",
    "creds_file_name",
    "creds_file_path",
    "write_secret_file",
]

# The allowed values come from the spec (facts.py). The Literal types below are for type
# checkers only; tests/unit/test_spec.py fails when they drift.
ORDER_BY = ORDERS

Region = Literal["fr-par", "nl-ams"]
OrderBy = Literal[
    "created_at_asc",
    "created_at_desc",
    "name_asc",
    "name_desc",
    "updated_at_asc",
    "updated_at_desc",
]


def parse_time(value: object) -> datetime.datetime | None:
    """An RFC 3339 timestamp as an aware datetime (None when absent).

    `datetime.fromisoformat` is ~100x faster than dateutil's isoparse, which the generated
    models call twice per item: that was 45% of the client's CPU when listing (scripts/bench.py).
    """
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:  # forms Python 3.10's parser lacks (e.g. 7+ fraction digits)
        parsed = isoparse(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _object(data: object, what: str) -> Mapping[str, Any]:
    """`data` as a JSON object with a string id; TypeError / ValueError otherwise."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object for {what}, got {type(data).__name__}")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise ValueError(f"{what} without a string id")
    return data


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
    def from_json(cls, data: object) -> NatsAccount:
        """From the API's JSON object (the spec's scaleway.mnq.v1beta1.NatsAccount)."""
        fields = _object(data, "a NATS account")
        return cls(
            id=_text(fields, "id"),
            name=_text(fields, "name"),
            endpoint=_text(fields, "endpoint"),
            project_id=_text(fields, "project_id"),
            region=_text(fields, "region"),
            created_at=parse_time(fields.get("created_at")),
            updated_at=parse_time(fields.get("updated_at")),
        )


@attrs.frozen
class NatsCredentials:
    """Credentials of a NATS account.

    `content` (the `.creds` file: user JWT and nkey seed) is only known for
    credentials that this process created: Scaleway returns it once (get and list answer
    `"credentials": null`). It never shows in `repr`; use `write()` to store it.
    `file_name` is the server's name for the file, always "user.creds"; `checksum` the
    SHA-1 hex digest of the content (recorded answers, see the README).
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

    def write(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the `.creds` file atomically with mode 0600; return its path.

        A file path is written as is; a directory writes `creds_file_path(directory,
        self.name)` (the server names every file `user.creds`, so its name is not used). An
        existing file is never replaced (FileExistsError naming it, the file untouched) unless
        `overwrite=True`, as when renewing the file an app connects with.
        """
        if self.content is None:
            raise ValueError(
                f"credentials {self.id} have no content: Scaleway returns the .creds file "
                "only from create_credentials()"
            )
        target = Path(path).expanduser()
        if target.is_dir():
            target = creds_file_path(target, self.name)
        try:
            return write_secret_file(target, self.content, overwrite=overwrite)
        except FileExistsError as exists:
            raise FileExistsError(
                errno.EEXIST,
                f"{exists.strerror}; write(..., overwrite=True) replaces it",
                exists.filename,
            ) from None

    @classmethod
    def from_json(cls, data: object) -> NatsCredentials:
        """From the API's JSON object (the spec's scaleway.mnq.v1beta1.NatsCredentials)."""
        fields = _object(data, "NATS credentials")
        file = fields.get("credentials")
        file = file if isinstance(file, Mapping) else {}
        return cls(
            id=_text(fields, "id"),
            name=_text(fields, "name"),
            nats_account_id=_text(fields, "nats_account_id"),
            region=_text(fields, "region"),
            created_at=parse_time(fields.get("created_at")),
            updated_at=parse_time(fields.get("updated_at")),
            checksum=_text(fields, "checksum") or None,
            file_name=_text(file, "name") or None,
            content=_text(file, "content") or None,
        )


MAX_FILE_NAME_BYTES = 200  # NAME_MAX is 255 bytes; the atomic write's temporary name is longer


def creds_file_name(name: str) -> str:
    """A safe `.creds` file name for credentials called `name`.

    Letters, digits (any script), `-`, `_` and `.` are kept, anything else (path separators,
    control characters, spaces) becomes `_`; leading dots go (no hidden file, never `..`); the
    UTF-8 length is bounded. When that changed the name, a short hash of the original is
    appended, so that distinct names keep distinct files ("a/b" and "a_b" do not collide).
    """
    kept = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".")
    budget = MAX_FILE_NAME_BYTES - len(".creds") - 9  # room for "-" and 8 hex digits
    stem = kept.encode()[:budget].decode(errors="ignore")
    if stem != name or not stem:
        digest = hashlib.sha256(name.encode(errors="surrogatepass")).hexdigest()[:8]
        stem = f"{stem or 'credentials'}-{digest}"
    return f"{stem}.creds"


def creds_file_path(folder: str | os.PathLike[str], name: str) -> Path:
    """Where `NatsCredentials.write(folder)` puts credentials called `name`: always inside
    `folder`. Usable before creating them, to check the path first."""
    return Path(folder).expanduser() / creds_file_name(name)


def write_secret_file(path: Path, content: str, *, overwrite: bool = True) -> Path:
    """Write `content` to `path` atomically, readable by the owner only (0600).

    A crash leaves either the old file or the new one, never a truncated secret. Without
    `overwrite` an existing file is left alone (FileExistsError naming `path`).
    """
    path = path.expanduser()
    write_atomic(path, content, private=True, overwrite=overwrite)
    return path
