"""Regenerate generated/scaleway_nats_api from spec/, or check that it is current.

    python scripts/generate.py            # rewrite generated/scaleway_nats_api
    python scripts/generate.py --check    # exit 1, naming each file, if it is stale
    python scripts/generate.py --spec other.yaml --target /tmp/x/scaleway_nats_api   # a drill

Regenerating prints a changelog of the API surface it changed (operations, parameters,
schema properties, enum values added or removed), read by scripts/api_surface.py.

Used by `nox -s generate` and by tests/test_generated.py, so a hand edit of the
generated client, or a spec change without regeneration, turns CI red.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from api_surface import changelog  # scripts/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "scaleway-nats-api.yaml"
CONFIG = ROOT / "spec" / "openapi-python-client.yaml"
# Our changes to the generator's templates (a public request builder): spec/templates/*.jinja.
TEMPLATES = ROOT / "spec" / "templates"
PACKAGE = "scaleway_nats_api"
TARGET = ROOT / "generated" / PACKAGE


def generate_into(output: Path, spec: Path = SPEC) -> None:
    """Run openapi-python-client on `spec`, writing the package to `output`."""
    env = dict(os.environ)
    # The generator's post_hooks call `ruff`: make it the ruff of this interpreter.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / PACKAGE
        cmd = [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(spec), "--config", str(CONFIG),
            "--meta", "none", "--output-path", str(out), "--overwrite",
            "--custom-template-path", str(TEMPLATES),
        ]  # fmt: skip
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0 or "Warning" in result.stdout or "Error" in result.stdout:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"openapi-python-client failed (exit {result.returncode})")
        for cache in (".ruff_cache", "__pycache__"):
            shutil.rmtree(out / cache, ignore_errors=True)
        (out / "py.typed").touch()
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(out, output)


def differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths of files that differ between two generated trees."""

    def files(root: Path) -> set[str]:
        return {
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and not {"__pycache__", ".ruff_cache"} & set(p.parts)
        }

    want, have = files(expected), files(actual)
    changed = [
        name
        for name in sorted(want & have)
        if not filecmp.cmp(expected / name, actual / name, shallow=False)
    ]
    return (
        [f"missing: {n}" for n in sorted(want - have)]
        + [f"unexpected: {n}" for n in sorted(have - want)]
        + [f"modified: {n}" for n in changed]
    )


def check(target: Path) -> int:
    """Regenerate into a temporary folder and compare with `target`."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / PACKAGE
        generate_into(fresh)
        problems = differences(fresh, target)
        if not problems:
            print(f"{target} is up to date")
            return 0
        print(f"{target} differs from what {SPEC.name} generates:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
            kind, _, name = problem.partition(": ")
            if kind == "modified":
                diff = difflib.unified_diff(
                    (fresh / name).read_text().splitlines(),
                    (target / name).read_text().splitlines(),
                    f"generated from spec: {name}",
                    f"committed: {name}",
                    lineterm="",
                    n=1,
                )
                for line in list(diff)[:20]:
                    print(f"    {line}", file=sys.stderr)
        print("Run `nox -s generate` and commit the result.", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is stale")
    parser.add_argument("--target", type=Path, default=TARGET, help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, default=SPEC, help="another OpenAPI document")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.target.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / PACKAGE
        if args.target.exists():
            shutil.copytree(args.target, before)
        generate_into(args.target, args.spec.resolve())
        changes = changelog(before, args.target)
    print(f"generated {args.target}")
    print("API surface: " + ("\n  ".join(["changed", *changes]) if changes else "unchanged"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
