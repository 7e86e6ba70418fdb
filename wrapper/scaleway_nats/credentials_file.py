"""Writing the `.creds` file of credentials just created: the one chance to save their secret.

Scaleway returns a `.creds` content only in the create answer. So when the file cannot be
written, the credentials are useless: `create_credentials(..., write_to=path)` deletes them
on the server and raises `CredentialsWriteError`, which says whether that delete worked.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ScalewayError
from .models import NatsCredentials, creds_file_path

__all__ = ["CredentialsWriteError", "write_target"]


class CredentialsWriteError(ScalewayError):
    """The `.creds` file of new credentials could not be written (`error`); `cleanup` is
    the failure of deleting them on the server, None when they were deleted (`deleted`)."""

    def __init__(
        self, path: Path, credentials_id: str, error: OSError, cleanup: BaseException | None
    ) -> None:
        reason = error.strerror or error
        if cleanup is None:
            message = (
                f"cannot write {path} ({reason}): credentials {credentials_id} deleted on the "
                "server, nothing created; retry with another path or once fixed"
            )
        else:
            message = (
                f"cannot write {path} ({reason}); deleting credentials {credentials_id} on "
                f"the server failed too ({cleanup}): their secret is lost, delete them "
                f"(delete_credentials({credentials_id!r}))"
            )
        super().__init__(message, resource="nats_credentials", resource_id=credentials_id)
        self.path = path
        self.error = error
        self.cleanup = cleanup
        self.deleted = cleanup is None


def write_target(write_to: Path, created: NatsCredentials) -> Path:
    """Where `write_to` puts `created`'s file: a file path as is; a folder, the file named
    after the credentials, with their id appended when that name is taken (the server chose
    the name: another secret is never replaced)."""
    if not write_to.is_dir():
        return write_to
    path = creds_file_path(write_to, created.name)
    if path.exists():
        path = path.with_name(f"{path.stem}-{created.id[:8]}.creds")
    return path
