"""A small benchmark registry, timing helpers and the figures benchmarks report.

A benchmark is a function `(repeat) -> list[Figure]` registered under a short name with
`@benchmark("name")`. It builds its data once, outside any timed region, then times
`repeat` repetitions of the work with `time_repetitions` and turns the timings into
figures with `throughput_figure` / `duration_figure` (median and best of the runs). The
machine is shared and noisy: the median is the figure judged against the target, the
best run (shortest time) is shown beside it.
"""

from __future__ import annotations

import gc
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Better = Literal["higher", "lower"]
BenchmarkFn = Callable[[int], list["Figure"]]

BENCHMARK_MODULES = (
    "benchmarks.bench_cli",
    "benchmarks.bench_decode",
    "benchmarks.bench_recording",
    "benchmarks.bench_clock",
    "benchmarks.bench_sim",
    "benchmarks.bench_accuracy",
    "benchmarks.bench_pipeline",
    "benchmarks.bench_ble",
)
"""Modules whose import registers the benchmarks, in the order they run."""


@dataclass(frozen=True)
class Figure:
    """One measured figure.

    Attributes:
        name: short dotted name, unique across all benchmarks (`decode.push_buffer.spp1`).
        value: the figure judged against the target: the median of the repetitions for
            timings, the single result for deterministic accuracy figures; None when it
            could not be measured (the note says why).
        unit: unit of `value`, `best` and `target`.
        target: the value the project asks for, or None for an information-only figure.
        better: whether a `higher` or `lower` value is better.
        best: the best repetition (shortest time), or None when there was one run only.
        runs: repetitions behind `value`.
        note: what the figure measures, in one line.
    """

    name: str
    value: float | None
    unit: str
    target: float | None
    better: Better = "higher"
    best: float | None = None
    runs: int = 1
    note: str = ""

    @property
    def verdict(self) -> str:
        """`meets` or `misses` the target, `info` when there is none, `not measured` without a value."""
        if self.value is None:
            return "not measured"
        if self.target is None:
            return "info"
        ok = self.value >= self.target if self.better == "higher" else self.value <= self.target
        return "meets" if ok else "misses"


_REGISTRY: dict[str, BenchmarkFn] = {}


def benchmark(name: str) -> Callable[[BenchmarkFn], BenchmarkFn]:
    """Register a benchmark function under `name` (what `--only` selects)."""

    def register(fn: BenchmarkFn) -> BenchmarkFn:
        if name in _REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return register


def registry() -> dict[str, BenchmarkFn]:
    """All benchmarks by name, in run order (importing their modules on first call)."""
    for module in BENCHMARK_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def progress(message: str) -> None:
    """A progress line on stderr (stdout stays clean for `--json`)."""
    print(message, file=sys.stderr, flush=True)


def time_repetitions(work: Callable[[], object], repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` calls of `work`, garbage collector held off while timed."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    seconds: list[float] = []
    enabled = gc.isenabled()
    try:
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - start)
            if enabled:
                gc.enable()
    finally:
        if enabled:
            gc.enable()
    return seconds


def throughput_figure(
    name: str, seconds: list[float], *, work: float, unit: str, target: float | None, note: str = ""
) -> Figure:
    """`work` units per second over the timed runs: median, and best (fastest run)."""
    return Figure(
        name,
        work / statistics.median(seconds),
        unit,
        target,
        "higher",
        work / min(seconds),
        len(seconds),
        note,
    )


def duration_figure(
    name: str, seconds: list[float], target: float | None, note: str = "", *, scale: float = 1.0
) -> Figure:
    """Seconds per run (times `scale`, e.g. to normalise per hour of data): median and best."""
    return Figure(
        name,
        statistics.median(seconds) * scale,
        "s",
        target,
        "lower",
        min(seconds) * scale,
        len(seconds),
        note,
    )
