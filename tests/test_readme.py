"""Every Python and shell block of README.md and of the documentation site (docs/*.md) runs,
against the emulator, as a user would run it.

A block that cannot run is preceded by `<!-- not-run: why -->`; one run by another test is
preceded by `<!-- run-by: tests/... -->` (that test finds the block with `readme_blocks()`).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest

from scaleway_nats import NatsAPI, NotFoundError
from scaleway_nats.local import LocalScaleway

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
LANGUAGES = {"python": "python", "bash": "bash", "sh": "bash", "shell": "bash", "console": "bash"}
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARKER = re.compile(r"^<!--\s*(not-run|run-by):\s*(.+?)\s*-->$")


@attrs.frozen
class Block:
    language: str  # "python" or "bash"
    line: int  # of the opening fence, 1-based
    heading: str
    code: str
    marker: tuple[str, str] | None  # ("not-run", reason) or ("run-by", test path)
    path: Path = README  # the Markdown file holding it

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")
        page = "" if self.path == README else f"{self.path.stem}-"
        return f"{page}{slug}-{self.language}-line{self.line}"

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)} line {self.line} ({self.heading})"


def documents() -> list[Path]:
    """README.md and every page of the documentation site."""
    return [README, *sorted(DOCS.rglob("*.md"))] if DOCS.is_dir() else [README]


def readme_blocks(text: str | None = None) -> list[Block]:
    """The Python and shell blocks of the README and the docs pages (or of `text`), with the
    marker line just above each."""
    if text is not None:
        return _blocks(text, README)
    return [block for path in documents() for block in _blocks(path.read_text("utf-8"), path)]


def _blocks(text: str, path: Path) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    heading = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        fence = _FENCE.match(line)
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        language = LANGUAGES.get(fence.group(1))
        if language:
            marker = _MARKER.match(lines[index - 1]) if index else None
            code = "\n".join(lines[index + 1 : end]) + "\n"
            pair = (marker.group(1), marker.group(2)) if marker else None
            blocks.append(Block(language, index + 1, heading, code, pair, path))
        index = end + 1
    return blocks


def run_by_block(test: str) -> Block:
    """The block whose marker says `test` runs it: the docs page's copy where the README
    holds one too (while README sections written elsewhere are being ported to docs/)."""
    found = [b for b in readme_blocks() if b.marker and b.marker[0] == "run-by"]
    found = [b for b in found if b.marker and b.marker[1].split()[0] == test]
    assert found, f"no block is marked run-by: {test}"
    return next((b for b in found if b.path != README), found[0])


BLOCKS = readme_blocks()
RUNNABLE = [block for block in BLOCKS if block.marker is None]


def test_the_readme_has_runnable_python_and_shell_blocks() -> None:
    assert {block.language for block in RUNNABLE} == {"python", "bash"}


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.marker], ids=lambda b: b.id)
def test_every_block_not_run_here_says_why(block: Block) -> None:
    kind, value = block.marker or ("", "")
    if kind == "run-by":
        runner = ROOT / value.split()[0]
        assert runner.is_file(), f"{block.id}: {value} does not exist"
        text = runner.read_text()
        assert "readme_blocks" in text or "run_by_block" in text, f"{runner} reads no docs"
    else:
        assert len(value.split()) >= 3, f"{block.id}: give a reason, not {value!r}"


def test_the_documentation_pages_blocks_run_too() -> None:
    pages = {block.path.name for block in BLOCKS if block.path.parent == DOCS}
    assert {"getting-started.md", "python.md", "cli.md", "pytest-plugin.md"} <= pages
    assert {b.path.name for b in RUNNABLE} >= {"getting-started.md", "python.md", "cli.md"}


def test_ci_runs_the_readmes_test_command() -> None:
    quick_start = next(b for b in BLOCKS if b.heading == "Quick start" and b.path == README)
    command = next(line for line in quick_start.code.splitlines() if "-s tests" in line)
    command = command.split("#")[0].strip()
    assert command in (ROOT / ".ci" / "run").read_text()


def test_a_markerless_block_is_found_and_a_marked_one_is_not_run() -> None:
    text = (
        "# T\n```python\nprint(1)\n```\n<!-- not-run: needs a real account -->\n```bash\nx\n```\n"
    )
    first, second = readme_blocks(text)
    assert (first.marker, first.code) == (None, "print(1)\n")
    assert second.marker == ("not-run", "needs a real account")


def _environment(emulator: LocalScaleway, home: Path) -> dict[str, str]:
    """The shell of a user who ran `eval "$(scw-nats local env)"`, with a home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCW_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        SCW_CONFIG_PATH=str(home / "no-scw-config.yaml"),
        SCW_SECRET_KEY=emulator.secret_key,
        SCW_DEFAULT_PROJECT_ID=emulator.project_id,
        SCW_API_URL=emulator.api_url,
        SCW_NATS_CA_FILE=emulator.ca_file,
    )
    return env


# Background jobs a shell block starts (`local serve &`) never outlive it, even on failure.
_BASH_PROLOGUE = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_readme_block_runs(block: Block, emulator: LocalScaleway, tmp_path: Path) -> None:
    """The block runs as written, in a fresh folder: Python with the interpreter of this
    suite, shell blocks with bash (which start their own `local serve` when they need one)."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    if block.language == "python":
        command = [sys.executable, "-c", block.code]
        env = _environment(emulator, home)
    else:
        command = ["bash", "-c", _BASH_PROLOGUE + block.code]
        env = {k: v for k, v in _environment(emulator, home).items() if not k.startswith("SCW_")}
        env["SCW_CONFIG_PATH"] = str(home / "no-scw-config.yaml")
    with NatsAPI(**_settings(emulator)) as api:
        # Someone else's account, last by name: an example must not touch it (one did).
        bystander = api.create_account(name="zz-bystander")
        before = {account.id for account in api.list_accounts()}
        try:
            started = time.perf_counter()
            done = subprocess.run(
                command, cwd=work, env=env, capture_output=True, text=True, timeout=240
            )
            print(f"FIGURES {block.id}: {time.perf_counter() - started:.1f} s")
            assert done.returncode == 0, (
                f"{block.where} exited {done.returncode}\n"
                f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
            after = {account.id: account.name for account in api.list_accounts()}
            assert after.get(bystander.id) == "zz-bystander", "the example touched another account"
            assert set(after) == before, "the example left accounts behind"
        finally:
            with contextlib.suppress(NotFoundError):
                api.delete_account(bystander)


def _settings(emulator: LocalScaleway) -> dict[str, str]:
    return {
        "secret_key": emulator.secret_key,
        "project_id": emulator.project_id,
        "api_url": emulator.api_url,
    }
