"""The command line: pick the sizes and scenarios, run them against one emulator, report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from . import __doc__ as ABOUT
from .emulator import emulator_has_tls, running_emulator
from .measuring import Result, log
from .peers import bench_context
from .report import Results, markdown, markdown_header, report_json, targets
from .scenarios import SCENARIOS
from .sizes import FULL, QUICK

COMMAND = "python -m scripts.bench"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=COMMAND, description=(ABOUT or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and 2 repeats")
    parser.add_argument("--repeats", type=int, help="timed runs per measurement")
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), help="run these scenarios only"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument(
        "--markdown",
        type=Path,
        help="also write the tables, headed by the command, date and machine, to this file "
        "(docs/figures/bench.md is what the documentation's Performance page includes)",
    )
    parser.add_argument(
        "--plain-http", action="store_true", help="network scenario over HTTP, not HTTPS"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = dataclasses.replace(sizes, repeats=args.repeats)
    chosen = args.only or list(SCENARIOS)
    log(f"starting the emulator ({'quick' if args.quick else 'full'} run)")
    with running_emulator(max_accounts=1000) as emulator, bench_context(sizes, emulator) as bench:
        bench.network_tls = not args.plain_http and emulator_has_tls()
        rows: list[Result] = []
        for number, name in enumerate(chosen, 1):
            log(f"{number}/{len(chosen)} {name}: {SCENARIOS[name].__doc__.splitlines()[0]}")
            rows += SCENARIOS[name](bench)
        seeding = bench.accounts.seeding_seconds
    results = Results(rows)
    goals = targets(results, sizes)
    tables = markdown(results, goals, quick=args.quick)
    print(tables)
    report = report_json(results, goals, sizes, seeding)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        given = argv if argv is not None else sys.argv[1:]
        command = " ".join([COMMAND, *given])
        args.markdown.write_text(markdown_header(report, command) + tables + "\n")
    log(f"done; raw numbers in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
