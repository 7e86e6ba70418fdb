"""Runs of the chaos machine: one seed decides the emulator's faults and hypothesis's
choices, so a failing round replays with the same seed. Used by the short budget in the test
suite (tests/chaos/test_chaos.py) and by the long runs (scripts/chaos.py, `nox -s chaos`)."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test

from scaleway_nats.local import LocalScaleway

from .machine import Run, Tally, machine_for
from .model import Violation


@attrs.define
class Outcome:
    """One round: its seed, what it did, and the violation it found (shrunk if asked)."""

    seed: int
    tally: Tally
    faults: int
    faults_by_kind: dict[str, int]
    violation: str | None = None  # kind
    report: str = ""  # the message and the (shrunk) sequence of steps

    def line(self) -> str:
        t = self.tally
        return (
            f"seed {self.seed}: {t.examples} examples, {t.steps} steps, {t.calls} API calls "
            f"(longest {t.longest_call:.1f} s), {self.faults} faults injected "
            f"{self.faults_by_kind}, {t.kills} node kills, {t.restarts} restarts, "
            f"{t.acked} messages acked, {t.ambiguous} AmbiguousCreateError; "
            f"violation: {self.violation or 'none'}"
        )


# More faults than the profile's 5 %: a short budget meets each kind, the ambiguous ones
# (committed, then lost) included.
FAULT_RATE = 0.1


def _describe(error: BaseException) -> str:
    """The error with hypothesis's notes (its steps), and each of a group's errors."""
    notes: list[Any] = getattr(error, "__notes__", [])
    parts = [f"{type(error).__name__}: {error}", *map(str, notes)]
    for number, inner in enumerate(getattr(error, "exceptions", ()), 1):
        parts.append(f"-- failure {number}: {_describe(inner)}")
    return "\n".join(parts)


def emulator(run_seed: int) -> LocalScaleway:
    """The production-like emulator of a run (quota raised: examples clean up after
    themselves, but a violation may leave some behind)."""
    return LocalScaleway.production_like(run_seed, fault_rate=FAULT_RATE, max_accounts=100)


def round_(env: LocalScaleway, round_seed: int, examples: int, steps: int, shrink: bool) -> Outcome:
    """Run `examples` sequences of up to `steps` steps, drawn from `round_seed`."""
    run = Run.start(env)
    before = env.stats
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    chosen = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,  # replays come from the seed, not from a local database
        derandomize=False,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    machine = seed(round_seed)(machine_for(run))
    violation, report = None, ""
    try:
        run_state_machine_as_test(machine, settings=chosen)
    except Exception as error:  # a Violation, or anything the machine itself raised
        report = _describe(error)
        if run.first is not None:  # what was met first, even if its replay went otherwise
            error, steps = run.first[0], run.first[1]
            report = f"{error}\nfirst met after: {'; '.join(steps)}\n\nhypothesis: {report}"
        violation = error.kind if isinstance(error, Violation) else type(error).__name__
    finally:
        run.close()
    after = env.stats
    by_kind = {
        kind: after["faults_by_kind"][kind] - before["faults_by_kind"][kind]
        for kind in after["faults_by_kind"]
    }
    return Outcome(round_seed, run.tally, sum(by_kind.values()), by_kind, violation, report)
