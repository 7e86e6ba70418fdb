"""The chaos suite's short budget (issue 18): a few sequences of creates, renames, deletes,
lists, connects, JetStream publishes and node kills on the production-like emulator, every
promise checked after every step (tests/chaos/machine.py). Long runs: `nox -s chaos`.

The seed is printed; `pytest tests/chaos --chaos-seed N` replays a failure.
"""

from __future__ import annotations

import pytest

from .runner import emulator, round_

EXAMPLES = 2
STEPS = 10


def test_every_promise_holds_under_chaos(chaos_seed: int) -> None:
    print(f"\nchaos seed {chaos_seed} (replay: pytest tests/chaos --chaos-seed {chaos_seed})")
    with emulator(chaos_seed) as env:
        # No shrinking here (it replays the emulator for minutes): `nox -s chaos -- --seed N
        # --rounds 1` shrinks a failure found here.
        outcome = round_(env, chaos_seed, EXAMPLES, STEPS, shrink=False)
    print(outcome.line())
    if outcome.violation:
        pytest.fail(
            f"{outcome.report}\n\nreplay: pytest tests/chaos --chaos-seed {chaos_seed}; shrink: "
            f"nox -s chaos -- --seed {chaos_seed} --rounds 1 --examples {EXAMPLES} "
            f"--steps {STEPS}",
            pytrace=False,
        )
