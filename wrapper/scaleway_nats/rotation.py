"""Credentials rotation without downtime: the policy and its errors (the steps run in
`rotate_credentials` of both clients, written once in `_async/client.py`).

1. Create new credentials in the same account (same name unless told).
2. Write them atomically (0600) over the `.creds` file the app connects with.
3. Wait `grace` seconds: new credentials may not be active on every NATS server at once, and
   apps that read the file only at start may be redeployed meanwhile.
4. Delete the old ones: nats-server closes their connections, and a client connected with the
   *file* (`scaleway_nats.nats.connect(account, path)`) reconnects with its new content.

Whatever step fails, the file holds valid credentials, and `RotationError` says which
credentials exist on the server then (`existing`) and which the file holds (`in_file`).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ScalewayError
from .nats import ROTATION_GRACE as DEFAULT_GRACE

__all__ = ["DEFAULT_GRACE", "Progress", "RotationError", "quiet"]

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress callback: say nothing."""


class RotationError(ScalewayError):
    """A rotation stopped part-way. `existing`: ids of the credentials that exist on the
    server now; `in_file`: the id of the credentials the file holds (valid ones)."""

    def __init__(self, message: str, *, existing: tuple[str, ...], in_file: str) -> None:
        super().__init__(message)
        self.existing = existing
        self.in_file = in_file


def create_failed(old_id: str, path: str, error: BaseException) -> RotationError:
    return RotationError(
        f"rotation of {old_id} stopped: creating new credentials failed ({error}); nothing "
        f"changed: {path} still holds {old_id}, which stay valid",
        existing=(old_id,),
        in_file=old_id,
    )


def write_failed(
    old_id: str, new_id: str, path: str, error: BaseException, cleanup: BaseException | None
) -> RotationError:
    reason = getattr(error, "strerror", None) or error
    if cleanup is None:
        return RotationError(
            f"rotation of {old_id} stopped: cannot write {path} ({reason}); the new "
            f"credentials {new_id} were deleted; {path} still holds {old_id}, which stay valid",
            existing=(old_id,),
            in_file=old_id,
        )
    return RotationError(
        f"rotation of {old_id} stopped: cannot write {path} ({reason}), and deleting the new "
        f"credentials {new_id} failed too ({cleanup}); {path} still holds {old_id}, which stay "
        f"valid; delete {new_id} (its secret is lost): scw-nats credentials delete {new_id}",
        existing=(old_id, new_id),
        in_file=old_id,
    )


def delete_failed(old_id: str, new_id: str, path: str, error: BaseException) -> RotationError:
    return RotationError(
        f"rotation of {old_id}: {path} now holds the new credentials {new_id}, but deleting "
        f"the old ones failed ({error}): both are valid; delete the old ones once no app uses "
        f"them: scw-nats credentials delete {old_id}",
        existing=(old_id, new_id),
        in_file=new_id,
    )
