"""Every developer workflow of scaleway-nats: `nox -l` lists them."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True
# uv makes fresh environments several times faster (a fresh `tests` env: 2.1 s vs 14.6 s with
# virtualenv + pip, README "Development"); plain virtualenv where it is absent.
nox.options.default_venv_backend = "uv|virtualenv"


def install_project(session: nox.Session, extras: str = "local,dev") -> None:
    session.install("-e", f".[{extras}]")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/scaleway_nats_api from spec/ and the sync client from _async/.

    `-- --check` only compares, and fails naming each stale or hand-edited file.
    """
    session.install("openapi-python-client==0.26.2", "ruff==0.13.3")
    session.run("python", "scripts/generate.py", *session.posargs)
    session.run("python", "scripts/unasync.py", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The full test suite: unit, emulator integration, contract and generated-code check."""
    install_project(session)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check and mypy --strict on the hand-written code."""
    install_project(session)
    session.run("ruff", "check", "wrapper", "tests", "scripts", "noxfile.py")
    session.run("ruff", "format", "--check", "wrapper", "tests", "scripts", "noxfile.py")
    session.run("mypy", "--strict", "wrapper/scaleway_nats")


@nox.session
def chaos(session: nox.Session) -> None:
    """Long chaos runs on the production-like emulator (scripts/chaos.py):
    `-- --minutes N [--seed S]`; exits non-zero on any violation, printing its replay."""
    install_project(session)
    session.run("python", "scripts/chaos.py", *session.posargs)


@nox.session
def quickstart(session: nox.Session) -> None:
    """The quickstart: against Scaleway if SCW_* credentials are set, else a local emulator."""
    install_project(session, "local")
    session.run("scw-nats", "quickstart", *session.posargs)


@nox.session
def smoke(session: nox.Session) -> None:
    """End-to-end smoke test of every operation (scripts/smoke.py)."""
    install_project(session, "local")
    session.run("python", "scripts/smoke.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against raw httpx and the official Scaleway SDK (python -m scripts.bench)."""
    install_project(session, "local")
    session.install("scaleway")  # the peer the benchmark compares with
    # The Performance page includes docs/figures/bench.md: one run of this script, never
    # numbers copied by hand (`-- --markdown other.md` writes elsewhere).
    markdown = [] if "--markdown" in session.posargs else ["--markdown", "docs/figures/bench.md"]
    session.run("python", "-m", "scripts.bench", *markdown, *session.posargs)


DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}  # Material's notice about its successor, on stderr


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/, warnings as errors; `-- serve` previews it."""
    install_project(session, "local,docs")
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", "--strict", *session.posargs[1:], env=DOCS_ENV)
        return
    session.run("mkdocs", "build", "--strict", *session.posargs, env=DOCS_ENV)


@nox.session
def docs_browser(session: nox.Session) -> None:
    """Build the site and check it in headless Chromium: every page renders, navigation and
    search work (scripts/docs_browser.py; screenshots in site-check/).

    Needs Debian's chromium (`apt-get install chromium`) or `-- --chromium PATH`.
    """
    install_project(session, "local,docs")
    # Playwright drives the system's Chromium (executable_path): no browser download.
    session.install("playwright>=1.45")
    session.run("mkdocs", "build", "--strict", env=DOCS_ENV)
    session.run("python", "scripts/docs_browser.py", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """sdist and wheel into dist/, checked (twine check --strict, contents), then the wheel
    installed alone into a fresh venv: `scw-nats --version`, the quickstart, and the plugin's
    fresh-project test (tests/plugin/test_fresh_project.py) from it."""
    install_project(session)  # the fresh-project test runs from the dev environment
    session.install("build>=1.2", "twine>=5")
    shutil.rmtree("dist", ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("twine", "check", "--strict", *map(str, Path("dist").iterdir()))
    session.run("python", "scripts/check_dist.py", "dist")
    (wheel,) = Path("dist").glob("*.whl")
    venv = Path(session.create_tmp()).resolve() / "wheel-alone"
    shutil.rmtree(venv, ignore_errors=True)
    python = str(venv / "bin" / "python")
    package = f"scaleway-nats[local] @ {wheel.resolve().as_uri()}"
    if shutil.which("uv"):  # nox[uv] brings it; much faster than venv + pip
        session.run("uv", "venv", "-q", "--python", sys.executable, str(venv), external=True)
        session.run("uv", "pip", "install", "-q", "--python", python, package, external=True)
    else:
        session.run(sys.executable, "-m", "venv", str(venv), external=True)
        session.run(python, "-m", "pip", "install", "-q", package, external=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCW_")}
    alone = {**clean, "SCW_CONFIG_PATH": str(venv / "no-scw-config.yaml")}
    scw_nats = str(venv / "bin" / "scw-nats")
    with session.chdir(venv):  # away from the clone: nothing can come from its sources
        session.run(scw_nats, "--version", env=alone, external=True)
        session.run(scw_nats, "quickstart", "--local", env=alone, external=True)
    session.run(
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "tests/plugin/test_fresh_project.py",
        env={"SCALEWAY_NATS_WHEEL": str(wheel.resolve())},
    )
