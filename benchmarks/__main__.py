"""Run the benchmarks: `python -m benchmarks [--only NAME]... [--repeat N] [--json]`."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks._runner import Figure, progress, registry


def _parser(names: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "reptempo benchmarks: decode throughput, recording read time and clock-alignment "
            "accuracy, each against its target. Timings report the median of --repeat runs "
            "(and the best run); accuracy figures are deterministic and run once."
        ),
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(names),
        metavar="NAME",
        help=f"run only this benchmark (repeatable); one of: {', '.join(names)}",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, metavar="N", help="timed repetitions per figure (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit with status 1 if any figure misses its target"
    )
    return parser


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4g}"


def _table(figures: Sequence[Figure]) -> str:
    header = ("benchmark", "median", "best", "unit", "target", "verdict")
    rows = [header]
    for f in figures:
        sign = ">= " if f.better == "higher" else "<= "
        target = "-" if f.target is None else sign + _fmt(f.target)
        rows.append((f.name, _fmt(f.value), _fmt(f.best), f.unit, target, f.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    right = {1, 2}
    lines = []
    for k, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join([*lines, "", "notes:", *notes]) if notes else "\n".join(lines)


def _environment(repeat: int) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor(),
        "system": platform.platform(),
        "repeat": repeat,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks and print the table (or JSON); return the exit status."""
    benchmarks = registry()
    args = _parser(list(benchmarks)).parse_args(argv)
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    selected = list(dict.fromkeys(args.only)) if args.only else list(benchmarks)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name in selected:
        progress(f"== {name}")
        t0 = time.perf_counter()
        figures.extend(benchmarks[name](args.repeat))
        progress(f"== {name} done in {time.perf_counter() - t0:.1f} s")
    progress(f"all done in {time.perf_counter() - started:.1f} s")
    if args.json:
        payload = {
            "environment": _environment(args.repeat),
            "benchmarks": selected,
            "figures": [
                {
                    "name": f.name,
                    "value": f.value,
                    "best": f.best,
                    "unit": f.unit,
                    "target": f.target,
                    "better": f.better,
                    "verdict": f.verdict,
                    "runs": f.runs,
                    "note": f.note,
                }
                for f in figures
            ],
            "misses": [f.name for f in figures if f.verdict == "misses"],
        }
        print(json.dumps(payload, indent=2))
    else:
        env = _environment(args.repeat)
        print(
            f"reptempo benchmarks: python {env['python']}, numpy {env['numpy']}, {env['machine']}; "
            f"timings are the median (and best) of {args.repeat} run(s)"
        )
        print()
        print(_table(figures))
    missed = any(f.verdict == "misses" for f in figures)
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    sys.exit(main())
