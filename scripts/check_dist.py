"""Check what `python -m build` made, before anyone installs it.

    python scripts/check_dist.py dist/

The wheel must hold the generated client, the wrapper with its generated sync twin, the
`py.typed` marker, the `scw-nats` console script and the pytest plugin's entry point, and no
tests; the sdist must hold what rebuilds the wheel (spec, generated client, wrapper,
pyproject) and no tests either. Versions of both match `scaleway_nats/_version.py`.
Prints what it checked; exits 1 naming each missing or unwanted file.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL_FILES = (
    "scaleway_nats/__init__.py",
    "scaleway_nats/py.typed",
    "scaleway_nats/_version.py",
    "scaleway_nats/_async/client.py",
    "scaleway_nats/_sync/client.py",
    "scaleway_nats/cli/__init__.py",
    "scaleway_nats/local/cli.py",
    "scaleway_nats/pytest_plugin.py",
    "scaleway_nats/local/emulator.py",
    "scaleway_nats_api/__init__.py",
    "scaleway_nats_api/client.py",
)
ENTRY_POINTS = (
    "[console_scripts]\nscw-nats = scaleway_nats.cli:main",
    "[pytest11]\nscaleway_nats = scaleway_nats.pytest_plugin",
)
SDIST_FILES = (
    "pyproject.toml",
    "README.md",
    "CHANGELOG.md",
    "spec/scaleway-nats-api.yaml",
    "generated/scaleway_nats_api/__init__.py",
    "wrapper/scaleway_nats/py.typed",
    "wrapper/scaleway_nats/_version.py",
)
_TESTS = re.compile(r"(^|/)(tests?|conftest\.py)(/|$)")


def version() -> str:
    text = (ROOT / "wrapper" / "scaleway_nats" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', text)
    assert found, "no __version__ in _version.py"
    return found.group(1)


def check_wheel(path: Path, problems: list[str]) -> None:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = wheel.read(info).decode()
    problems += [f"{path.name}: missing {name}" for name in WHEEL_FILES if name not in names]
    problems += [f"{path.name}: holds tests: {name}" for name in names if _TESTS.search(name)]
    problems += [
        f"{path.name}: entry point missing: {e!r}" for e in ENTRY_POINTS if e not in entry_points
    ]
    print(f"{path.name}: {len(names)} files, entry points {entry_points.split()}")


def check_sdist(path: Path, problems: list[str]) -> None:
    with tarfile.open(path) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    problems += [f"{path.name}: missing {name}" for name in SDIST_FILES if name not in names]
    problems += [f"{path.name}: holds tests: {name}" for name in names if _TESTS.search(name)]
    print(f"{path.name}: {len(names)} files")


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else ROOT / "dist"
    expected = version()
    wheels = sorted(dist.glob("scaleway_nats-*.whl"))
    sdists = sorted(dist.glob("scaleway_nats-*.tar.gz"))
    problems = [] if len(wheels) == len(sdists) == 1 else [f"want 1 wheel and 1 sdist in {dist}"]
    for built in (*wheels, *sdists):
        if f"-{expected}" not in built.name:
            problems.append(f"{built.name}: not version {expected} (_version.py)")
    for wheel in wheels:
        check_wheel(wheel, problems)
    for sdist in sdists:
        check_sdist(sdist, problems)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
