"""Command-line start-up: `reptempo --help` in a fresh interpreter.

The target keeps start-up imports lazy: numpy, scipy, bleak and textual load only when a
command needs them (tests check which modules `--help` imports; this times it).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks._runner import Figure, benchmark, duration_figure, progress

TARGET_HELP_S = 0.5
"""Issue "Foundation", section 1: `reptempo --help` in under 0.5 s."""


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("reptempo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reptempo"]


@benchmark("cli")
def bench_cli(repeat: int) -> list[Figure]:
    """Wall time of `reptempo --help`, a new process each repetition."""
    command = [*_console_script(), "--help"]
    progress(f"cli: timing {' '.join(command)} x {repeat}")
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        seconds.append(time.perf_counter() - start)
    return [
        duration_figure("cli.help", seconds, TARGET_HELP_S, "reptempo --help in a new process, wall time")
    ]
