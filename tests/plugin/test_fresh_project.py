"""The pytest plugin as an app sees it: a project outside this repository, a fresh venv with
this package installed from its path (or the wheel named by SCALEWAY_NATS_WHEEL), and the
docs' example tests, with the docs' pytest.ini, using only the fixtures."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.test_readme import run_by_block

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


# `nox -s build` points this at the wheel it built, to prove the wheel works alone.
WHEEL_ENV = "SCALEWAY_NATS_WHEEL"


def _fresh_venv(where: Path) -> Path:
    """A new venv holding this package (with its `local` extra), pytest and pytest-asyncio,
    as the plugin's page says an app needs; its python."""
    source = Path(os.environ[WHEEL_ENV]).resolve().as_uri() if WHEEL_ENV in os.environ else None
    package = f"scaleway-nats[local] @ {source or ROOT.as_uri()}"
    requirements = [package, "pytest", "pytest-asyncio"]
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
    example = run_by_block("tests/plugin/test_fresh_project.py")
    page = example.path.read_text(encoding="utf-8")
    # the pytest.ini the page shows just above the example (asyncio_mode = auto)
    ini = page[: page.index(example.code)].rsplit("```ini\n", 1)[1].split("```", 1)[0]
    project = tmp_path / "my-app"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text(ini)
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
    assert "2 passed" in done.stdout  # the async test too: not skipped
    assert not (project / "conftest.py").exists()  # the fixtures came from the entry point
