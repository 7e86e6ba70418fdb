"""Issue 22: one version source, shown by `scw-nats --version`."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from click.testing import CliRunner

from scaleway_nats import __version__
from scaleway_nats.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_has_one_source() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"], "pyproject.toml repeats the version"
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "wrapper/scaleway_nats/_version.py"


def test_scw_nats_version_shows_it() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"scw-nats, version {__version__}"
    assert importlib.metadata.version("scaleway-nats") == __version__
