"""Long chaos runs (issue 18): rounds of the chaos state machine (tests/chaos) against one
production-like emulator for N minutes, shrinking each violation to a minimal sequence.

    nox -s chaos -- --minutes 30 [--seed S]

Round r uses seed S + r (S: given, else new); each round's line, each violation with its
shrunk steps and the command replaying it, and a summary are printed. Exits 1 on any
violation.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests package

from tests.chaos.runner import Outcome, emulator, round_


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="stop starting rounds then")
    parser.add_argument("--seed", type=int, default=None, help="first round's seed (replay)")
    parser.add_argument("--rounds", type=int, default=None, help="at most this many rounds")
    parser.add_argument("--examples", type=int, default=10, help="sequences per round")
    parser.add_argument("--steps", type=int, default=30, help="steps per sequence, at most")
    parser.add_argument("--no-shrink", action="store_true", help="report violations unshrunk")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = secrets.randbelow(2**32)
    return args


def replay(args: argparse.Namespace, seed: int) -> str:
    return (
        f"nox -s chaos -- --seed {seed} --rounds 1 --examples {args.examples} --steps {args.steps}"
    )


def summary(outcomes: list[Outcome], seconds: float) -> str:
    total = {
        "rounds": len(outcomes),
        "examples": sum(o.tally.examples for o in outcomes),
        "steps": sum(o.tally.steps for o in outcomes),
        "api_calls": sum(o.tally.calls for o in outcomes),
        "longest_call_s": round(max((o.tally.longest_call for o in outcomes), default=0), 1),
        "faults": sum(o.faults for o in outcomes),
        "node_kills": sum(o.tally.kills for o in outcomes),
        "restarts": sum(o.tally.restarts for o in outcomes),
        "acked_messages": sum(o.tally.acked for o in outcomes),
        "ambiguous_creates": sum(o.tally.ambiguous for o in outcomes),
        "violations": sum(o.violation is not None for o in outcomes),
        "minutes": round(seconds / 60, 1),
    }
    seeds = ", ".join(f"{o.seed}:{o.violation}" for o in outcomes if o.violation) or "none"
    figures = ", ".join(f"{k} {v}" for k, v in total.items())
    return f"chaos summary: {figures}; seeds: {outcomes[0].seed}..; violating: {seeds}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    stop_at = started + args.minutes * 60
    outcomes: list[Outcome] = []
    print(f"chaos: seed {args.seed}, {args.minutes:g} minutes", flush=True)
    with emulator(args.seed) as env:
        for number in range(args.rounds if args.rounds is not None else sys.maxsize):
            if number and time.monotonic() >= stop_at:
                break
            seed = args.seed + number
            outcome = round_(env, seed, args.examples, args.steps, shrink=not args.no_shrink)
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
            if outcome.violation:
                print(f"VIOLATION {outcome.violation}\n{outcome.report}", flush=True)
                print(f"replay: {replay(args, seed)}", flush=True)
    print(summary(outcomes, time.monotonic() - started), flush=True)
    return 1 if any(o.violation for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
