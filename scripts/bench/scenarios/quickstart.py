"""Scenario "quickstart": from no client and no account to the first NATS message."""

from __future__ import annotations

import dataclasses
import statistics
import time

from scaleway_nats import AsyncNatsAPI
from scaleway_nats.quickstart import StepResult, quickstart_async

from ..emulator import Emulator, verify
from ..measuring import Result, measure
from ..peers import Bench, event_loop

FIRST_MESSAGE_STEP = "publish and receive"  # the quickstart step that receives the message


@dataclasses.dataclass
class QuickstartRun:
    """One quickstart: seconds from nothing to the first message, and every step's timing."""

    first_message: float | None = None
    steps: dict[str, float] = dataclasses.field(default_factory=dict)


def scenario_quickstart(bench: Bench) -> list[Result]:
    """4. quickstart: from no client and no account to the first NATS message received."""
    runs: list[QuickstartRun] = []
    with event_loop() as loop:

        def run() -> float:
            record = QuickstartRun()
            runs.append(record)
            return loop.run_until_complete(quickstart_once(bench.emulator, record))

        measurement = measure(run, bench.sizes.quickstart_repeats, clock=None)
    title = "quickstart: nothing → first message (TLS)"
    details = [dataclasses.asdict(record) for record in runs]
    return [
        Result("quickstart", title, "ours", "ms", 1000, measurement, step_shares(runs), details)
    ]


async def quickstart_once(
    emulator: Emulator, record: QuickstartRun, api_url: str | None = None
) -> float:
    """Run quickstart_async (JetStream check and cleanup included) and return the first
    message's time, measured from before the client exists."""
    started = time.perf_counter()

    def on_step(step: StepResult) -> None:
        record.steps[step.name] = step.seconds
        if step.name == FIRST_MESSAGE_STEP and step.ok:
            record.first_message = time.perf_counter() - started

    async with AsyncNatsAPI(config=emulator.config(api_url), verify=verify(emulator)) as api:
        result = await quickstart_async(api, ca_file=emulator.ca_file, on_step=on_step)
    if not result.ok or record.first_message is None:
        failed = result.failed_step
        raise RuntimeError(f"quickstart failed: {failed.name if failed else '?'}: {failed}")
    return record.first_message


def step_shares(runs: list[QuickstartRun]) -> str:
    """Median share of each step in the time to the first message; later steps in ms.

    What no step covers (creating the client, between steps) is shown as "outside steps".
    """
    done = [run for run in runs if run.first_message is not None]
    if not done:
        return ""
    names = list(done[0].steps)
    first = names.index(FIRST_MESSAGE_STEP) + 1 if FIRST_MESSAGE_STEP in names else len(names)
    shares = {
        name: statistics.median(run.steps[name] / run.first_message for run in done)  # type: ignore[operator]
        for name in names[:first]
    }
    shares["outside steps"] = max(0.0, 1.0 - sum(shares.values()))
    parts = [f"{name} {share:.0%}" for name, share in shares.items()]
    parts += [
        f"then {name} {statistics.median(run.steps[name] for run in done) * 1000:.0f} ms"
        for name in names[first:]
    ]
    return "; ".join(parts)
