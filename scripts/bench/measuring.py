"""Timing: repeated runs of a callable, taking turns between peers, and one table row each."""

from __future__ import annotations

import collections
import dataclasses
import statistics
import sys
import time
import traceback
from collections.abc import Callable

MEASURE_BUDGET = 150.0  # seconds: a measurement stops repeating once it has used this much


STARTED = time.perf_counter()


def log(message: str) -> None:
    """One progress line on stderr, stamped with the time since the benchmark started."""
    print(f"[bench {time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# -- measuring ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Measurement:
    """Samples of repeated runs (seconds unless the run measured itself), or the failure."""

    samples: list[float]
    error: str | None = None
    seconds_to_error: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if len(self.samples) < 2:
            return self.median
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


def measure(
    run: Callable[[], object],
    repeats: int,
    *,
    clock: Callable[[], float] | None = time.perf_counter,
    warmup: int = 0,
    budget: float = MEASURE_BUDGET,
) -> Measurement:
    """Call `run` `warmup` times untimed, then `repeats` times, and collect one sample per call.

    The sample is the `clock` time the call took (wall time by default, `time.process_time`
    for CPU), or with `clock=None` the float `run` returns (runs that measure themselves). A
    failing call ends the measurement with the error recorded; so does exhausting `budget`.
    """
    samples: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + repeats):
        if samples and time.monotonic() > deadline:
            log(f"  time budget spent: {len(samples)} of {repeats} runs kept")
            break
        started = time.perf_counter()
        try:
            value = sample(run, clock)
        except Exception as error:
            return Measurement(samples, describe_error(error), time.perf_counter() - started)
        if index >= warmup:
            samples.append(value)
    return Measurement(samples)


def measure_side_by_side(
    runs: dict[str, Callable[[], object]], repeats: int, *, warmup: int = 0
) -> dict[str, Measurement]:
    """`measure` for several peers taking turns, one run each per round.

    Timing peer after peer in blocks let a drift of the machine (the other core busy, CPU
    frequency) fall on one peer: sequential get read 0.78x and 1.25x of raw in two runs.
    """
    results = {peer: Measurement([]) for peer in runs}
    deadline = time.monotonic() + MEASURE_BUDGET * len(runs)
    for index in range(warmup + repeats):
        if index > warmup and time.monotonic() > deadline:
            log(f"  time budget spent: {index - warmup} of {repeats} rounds kept")
            break
        for peer, run in runs.items():
            if results[peer].error is not None:
                continue
            started = time.perf_counter()
            try:
                value = sample(run, time.perf_counter)
            except Exception as error:
                results[peer].error = describe_error(error)
                results[peer].seconds_to_error = time.perf_counter() - started
                continue
            if index >= warmup:
                results[peer].samples.append(value)
    return results


def sample(run: Callable[[], object], clock: Callable[[], float] | None) -> float:
    """One sample: what `run` took on `clock`, or what it returned when `clock` is None."""
    if clock is None:
        return float(run())  # type: ignore[arg-type]
    started = clock()
    run()
    return clock() - started


def describe_error(error: BaseException) -> str:
    """Type and message, plus the most repeated function of the traceback (recursion depth)."""
    frames = [frame.f_code.co_name for frame, _ in traceback.walk_tb(error.__traceback__)]
    text = f"{type(error).__name__}: {str(error)[:160]}"
    if frames:
        name, count = collections.Counter(frames).most_common(1)[0]
        if count > 1:
            text += f" ({name} {count} frames deep)"
    return text


@dataclasses.dataclass
class Result:
    """One table row: a scenario's measurement for one peer, shown in `unit`."""

    scenario: str  # key shared by the peers compared with each other
    title: str
    peer: str
    unit: str
    scale: float  # multiplies a raw sample into `unit` (e.g. 1000 / calls for ms per call)
    measurement: Measurement
    note: str = ""
    details: object = None  # JSON-ready extras (quickstart steps, memory probe outputs)

    def shown(self, value: float | None) -> str:
        return "—" if value is None else number(value * self.scale)


def number(value: float) -> str:
    """Three significant digits without scientific notation: 0.123, 1.23, 12.3, 1,234."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{2 if abs(value) < 10 else 1}f}"


def ratio(numerator: Result | None, denominator: Result | None) -> float | None:
    """Median over median, when both exist."""
    if numerator is None or denominator is None:
        return None
    top, bottom = numerator.measurement.median, denominator.measurement.median
    return top / bottom if top is not None and bottom else None
