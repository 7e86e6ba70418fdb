"""The one-line error for a missing `local` extra, with an install command that works.

The package is installed from its repository (it is not on PyPI), so the command names the
repository's path when this copy runs from one, and the installer this interpreter has.
"""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["EXTRA_MODULES", "MissingExtraError", "install_command", "missing_extra"]

# Top-level modules the `local` extra brings (pyproject.toml, [project.optional-dependencies]).
EXTRA_MODULES = frozenset({"uvicorn", "starlette", "cryptography", "platformdirs"})


class MissingExtraError(ModuleNotFoundError):
    """The emulator needs the `local` extra, which is not installed."""


def install_command() -> str:
    """A shell command installing the `local` extra into this interpreter's environment."""
    repo = Path(__file__).resolve().parents[2]
    from_repo = (repo / "pyproject.toml").is_file()
    source = f"{repo}[local]" if from_repo else "/path/to/scaleway-nats[local]"
    args = ["-e", source] if from_repo else [source]
    python = shlex.quote(sys.executable)
    quoted = " ".join(shlex.quote(arg) for arg in args)
    if importlib.util.find_spec("pip") is None and shutil.which("uv"):
        return f"uv pip install --python {python} {quoted}"
    return f"{python} -m pip install {quoted}"


def missing_extra(error: ModuleNotFoundError) -> ModuleNotFoundError:
    """`MissingExtraError` when `error` is about a module of the extra; else `error` itself."""
    name = (error.name or "").split(".")[0]
    if name not in EXTRA_MODULES:
        return error
    return MissingExtraError(
        f"the local emulator needs the `local` extra ({name} is missing): {install_command()}",
        name=error.name,
    )
