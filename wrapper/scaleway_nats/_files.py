"""Small filesystem helpers: atomic, private writes for key material and config files."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomic(
    path: Path, data: str | bytes, *, private: bool = False, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` via a temp file + ``os.replace``.

    A crash mid-write never leaves a truncated key or config behind. With ``private`` the file is
    created 0600 from the start (``mkstemp`` already does that), so a seed is never readable by
    other users, not even briefly. Without ``overwrite`` an existing ``path`` raises
    FileExistsError naming ``path`` (not the temp file) and is left alone: ``os.link`` fails
    atomically when the name is taken, so a file that appears meanwhile is never replaced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600 if private else 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(
                    errno.EEXIST, "file exists, left unchanged", str(path)
                ) from None
            Path(tmp).unlink()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
