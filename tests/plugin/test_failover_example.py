"""The README's failover test, run as an app would run it: its own project, the plugin from the
installed package's entry point, and `scaleway_nats_cluster_size = 3` in its pytest settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.test_readme import run_by_block

PYTEST_INI = """\
[pytest]
scaleway_nats_cluster_size = 3
"""


def test_the_readme_failover_test_passes_against_a_three_node_cluster(tmp_path: Path) -> None:
    example = run_by_block("tests/plugin/test_failover_example.py")
    project = tmp_path / "my-app"
    (project / "tests").mkdir(parents=True)
    (project / "pytest.ini").write_text(PYTEST_INI)
    (project / "tests" / "test_failover.py").write_text(example.code)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "PYTEST", "NATS_"))}
    env["SCW_CONFIG_PATH"] = str(tmp_path / "no-scw-config.yaml")  # never the developer's
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(f"FIGURES README failover test: {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
