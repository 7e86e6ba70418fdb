"""The one-line error for a missing `local` extra, with an install command that works.

The command names the repository's path when this copy runs from a clone, else the wheel or
folder pip installed it from (PEP 610's direct_url.json), else the package by name; and the
installer this interpreter has. Never a placeholder to edit.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["EXTRA_MODULES", "MissingExtraError", "install_command", "missing_extra"]

# Top-level modules the `local` extra brings (pyproject.toml, [project.optional-dependencies]).
EXTRA_MODULES = frozenset({"uvicorn", "starlette", "cryptography", "platformdirs"})


class MissingExtraError(ModuleNotFoundError):
    """The emulator needs the `local` extra, which is not installed."""


def _repository() -> Path | None:
    """The clone this copy runs from (an editable install), if any."""
    repo = Path(__file__).resolve().parents[2]
    return repo if (repo / "pyproject.toml").is_file() else None


def _direct_url() -> str | None:
    """Where pip installed this distribution from (PEP 610), e.g. a wheel's file:// URL."""
    try:
        text = importlib.metadata.distribution("scaleway-nats").read_text("direct_url.json")
        url = json.loads(text or "null")["url"] if text else None
    except (importlib.metadata.PackageNotFoundError, ValueError, KeyError, TypeError):
        return None
    return url if isinstance(url, str) else None


def install_command() -> str:
    """A shell command installing the `local` extra into this interpreter's environment:
    from the clone this copy runs from, else from where it was installed from, else by name."""
    repo = _repository()
    if repo is not None:
        args = ["-e", f"{repo}[local]"]
    else:
        url = _direct_url()
        args = [f"scaleway-nats[local] @ {url}" if url else "scaleway-nats[local]"]
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
