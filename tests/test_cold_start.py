"""Cold start (issue 13): `import scaleway_nats` and `scw-nats --help` load only what they need.

Asserted by the modules a fresh interpreter has loaded (never by time); the times are printed
(`pytest -s`) and measured properly by scripts/bench's cold-start rows.
"""

from __future__ import annotations

import json
import sys
import time

import pytest

import scaleway_nats
from tests.support.processes import run_captured

# Heavy and only needed once a request, a connection or the emulator is made.
HEAVY = ("httpx", "nats", "yaml", "scaleway_nats_api", "scaleway_nats.api", "uvicorn", "asyncio")


def loaded_modules(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    started = time.perf_counter()
    done = run_captured([sys.executable, "-c", probe], check=True)
    print(f"{code!r}: {(time.perf_counter() - started) * 1000:.0f} ms (one run, with the probe)")
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY)


def test_import_loads_no_client_library() -> None:
    modules = loaded_modules("import scaleway_nats")
    assert heavy_in(modules) == []
    assert "click" not in modules
    assert "scaleway_nats.models" not in modules


def test_cli_help_loads_neither_the_client_nor_nats_py() -> None:
    modules = loaded_modules(
        "import sys\nfrom scaleway_nats.cli import main\nsys.argv = ['scw-nats', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "scaleway_nats.cli" in modules
    # The models take regions and orders from the generated enums, and the generated
    # package's __init__ imports its httpx client: those two come with the models (the
    # choices of --region and --order-by); the client, nats-py and the rest do not.
    allowed = {"httpx", "scaleway_nats_api"}
    assert [m for m in heavy_in(modules) if m.split(".")[0] not in allowed] == []
    assert not any(m.startswith(("scaleway_nats._async", "scaleway_nats._sync")) for m in modules)
    assert not any(m.startswith("scaleway_nats.local") for m in modules)


def test_a_command_loads_the_client_when_it_runs() -> None:
    """The lazy imports happen: `account list` without credentials fails in the client."""
    command = [sys.executable, "-c", "from scaleway_nats.cli import main; main()"]
    done = run_captured(
        [*command, "account", "list"], env={"HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "SCW_SECRET_KEY" in done.stderr


@pytest.mark.parametrize("name", scaleway_nats.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(scaleway_nats, name) is not None
    assert name in dir(scaleway_nats)


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        scaleway_nats.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_quickstart_stays_the_function_after_its_module_is_imported() -> None:
    """The CLI imports the submodule `scaleway_nats.quickstart` lazily; the package name
    `quickstart` must keep meaning the function (issue 11 item 5)."""
    modules_code = (
        "import scaleway_nats.quickstart as module_import\n"
        "from scaleway_nats.quickstart import target\n"
        "from scaleway_nats import quickstart\n"
        "import scaleway_nats\n"
        "assert callable(quickstart) and quickstart.__name__ == 'quickstart', quickstart\n"
        "assert scaleway_nats.quickstart is quickstart\n"
        "assert callable(target)\n"
    )
    loaded_modules(modules_code)


def test_pytest_plugin_loads_neither_the_client_nor_the_emulator() -> None:
    """pytest loads the plugin (entry point pytest11) in every session of a project that
    installs scaleway-nats: it must not cost them the client's imports."""
    modules = loaded_modules("import scaleway_nats.pytest_plugin")
    assert heavy_in(modules) == []
    assert not any(m.startswith("scaleway_nats.local") for m in modules)
