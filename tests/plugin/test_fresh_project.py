"""The pytest plugin as an app sees it: a project outside this repository, a fresh venv with
this package installed from its path, and the README's example test using only the fixtures."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.test_readme import readme_blocks

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str | None:
    """uv, when this machine has it (much faster venvs); CI without it uses venv + pip."""
    sibling = Path(sys.executable).parent / "uv"
    if sibling.is_file():
        return str(sibling)
    if importlib.util.find_spec("uv") is not None:
        import uv  # type: ignore[import-not-found]

        return str(uv.find_uv_bin())
    return shutil.which("uv")


def _fresh_venv(where: Path) -> Path:
    """A new venv holding this package (with its `local` extra) and pytest; its python."""
    requirements = [f"scaleway-nats[local] @ {ROOT.as_uri()}", "pytest"]
    uv = _uv()
    if uv:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(where)], check=True)
        python = where / "bin" / "python"
        install = [uv, "pip", "install", "-q", "--python", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        python = where / "bin" / "python"
        install = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*install, *requirements], check=True, timeout=600)
    return python


def test_an_app_tests_itself_offline_with_the_plugin(tmp_path: Path) -> None:
    (example,) = [
        block
        for block in readme_blocks()
        if block.marker
        and block.marker[0] == "run-by"
        and block.marker[1].startswith("tests/plugin/test_fresh_project.py")
    ]
    project = tmp_path / "my-app"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_orders.py").write_text(example.code)

    started = time.perf_counter()
    python = _fresh_venv(tmp_path / "venv")
    installed = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "PYTEST", "NATS_"))}
    env["SCW_CONFIG_PATH"] = str(tmp_path / "no-scw-config.yaml")  # never the developer's
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    ran = time.perf_counter() - started
    print(
        f"FIGURES fresh venv + install {installed:.1f} s ({_uv() or 'pip'}); app tests {ran:.1f} s"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert not (project / "conftest.py").exists()  # the fixtures came from the entry point
