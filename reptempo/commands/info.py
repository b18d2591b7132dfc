"""`reptempo info FILE`: what a recording holds."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from imu_reader import InputFileError
from reptempo.cli import EXIT_OK


def summarise(path: str) -> dict[str, Any]:
    """The facts `info` prints, as plain data."""
    from imu_reader.recording import read_recording

    rec = read_recording(path)
    sensors = []
    for role, s in rec.sensors.items():
        stats = s.stats
        sensors.append(
            {
                "role": role,
                "imu_model": s.info.imu_model,
                "firmware_version": s.info.firmware_version,
                "address": s.address,
                "nominal_rate_hz": s.info.rate_hz,
                "measured_rate_hz": round(s.clock.rate_hz, 3),
                "samples": len(s.samples),
                "duration_s": round(float(s.samples.time_s[-1] - s.samples.time_s[0]), 3)
                if len(s.samples)
                else 0.0,
                "packets": s.packets,
                "packets_lost": stats.packets_lost,
                "loss_percent": round(100.0 * stats.loss_fraction, 3),
                "duplicates": stats.duplicates,
                "malformed": stats.malformed_total,
                "malformed_by_reason": {k: v for k, v in stats.malformed.items() if v},
                "samples_lost": stats.samples_lost,
                "gaps": stats.gaps,
                "restarts": stats.restarts,
            }
        )
    start_ns = int(rec.metadata.get("start_unix_ns", "0") or 0)
    return {
        "file": str(rec.path),
        "synthetic": rec.synthetic,
        "source": rec.metadata.get("source"),
        "software_version": rec.metadata.get("software_version"),
        "started_utc": datetime.fromtimestamp(start_ns / 1e9, UTC).isoformat(timespec="seconds"),
        "duration_s": round(rec.duration_s, 3),
        "sensors": sensors,
        "events": len(rec.events),
        "labels": sorted(rec.labels) if rec.labels else [],
        "metadata": {k: v for k, v in rec.metadata.items() if k != "config"},
        "truncated": rec.truncated,
        "warnings": rec.warnings,
    }


def summarise_csv(
    path: str, rate_hz: float | None, acc_unit: str | None, gyr_unit: str | None
) -> dict[str, Any]:
    """The facts `info` prints about a CSV file or phone export."""
    import numpy as np

    from dsp import STANDARD_GRAVITY_MPS2
    from imu_reader.csvio import detect_layout, read_sensor_csv

    layout = detect_layout(path)
    samples = read_sensor_csv(path, role="shin", rate_hz=rate_hz, acc_unit=acc_unit, gyr_unit=gyr_unit)
    steps = np.diff(samples.time_s)
    acc_g = np.linalg.norm(samples.acc_mps2, axis=1) / STANDARD_GRAVITY_MPS2
    return {
        "file": path,
        "format": layout.label,
        "samples": len(samples),
        "duration_s": round(float(samples.time_s[-1] - samples.time_s[0]), 3),
        "rate_hz": round(1.0 / float(np.median(steps)), 3),
        "gaps": int(samples.gap_before.sum()),
        "median_acc_g": round(float(np.median(acc_g)), 3),
    }


def _csv_text(info: dict[str, Any]) -> str:
    lines = [
        f"file        {info['file']}",
        f"format      {info['format']}",
        f"samples     {info['samples']}",
        f"duration    {info['duration_s']:.1f} s",
        f"rate        {info['rate_hz']:.2f} Hz (median step)",
        f"gaps        {info['gaps']}",
        f"median |a|  {info['median_acc_g']:.3f} g",
    ]
    if not 0.5 < info["median_acc_g"] < 2.0:
        lines.append("warning: a body at rest reads about 1 g; check --acc-unit (g or m/s2)")
    return "\n".join(lines)


def _text(info: dict[str, Any]) -> str:
    kind = "synthetic (simulator)" if info["synthetic"] else "real"
    lines = [
        f"file        {info['file']}",
        f"data        {kind}, source {info['source']}, written by reptempo {info['software_version']}",
        f"started     {info['started_utc']}",
        f"duration    {info['duration_s']:.1f} s",
        "",
    ]
    header = (
        "role",
        "imu",
        "rate Hz",
        "measured",
        "samples",
        "packets",
        "lost",
        "loss %",
        "dup",
        "bad",
        "gaps",
    )
    rows = [
        (
            s["role"],
            s["imu_model"],
            str(s["nominal_rate_hz"]),
            f"{s['measured_rate_hz']:.2f}",
            str(s["samples"]),
            str(s["packets"]),
            str(s["packets_lost"]),
            f"{s['loss_percent']:.2f}",
            str(s["duplicates"]),
            str(s["malformed"]),
            str(s["gaps"]),
        )
        for s in info["sensors"]
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        lines.append("(no sensor data)")
    for s in info["sensors"]:
        if s["malformed_by_reason"]:
            reasons = ", ".join(f"{n} {reason}" for reason, n in s["malformed_by_reason"].items())
            lines.append(f"{s['role']}: malformed packets skipped: {reasons}")
    lines.append("")
    lines.append(f"events      {info['events']}")
    lines.append(f"labels      {', '.join(info['labels']) if info['labels'] else 'none'}")
    extra = {
        k: v
        for k, v in info["metadata"].items()
        if k not in ("software_version", "synthetic", "source", "start_unix_ns", "format_version")
    }
    for key, value in extra.items():
        lines.append(f"{key:<11} {value}")
    lines.extend(f"warning: {w}" for w in info["warnings"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the summary of `args.file`."""
    is_csv = not args.file.lower().endswith(".mcap")
    if is_csv:
        info = summarise_csv(args.file, args.rate, args.acc_unit, args.gyr_unit)
    else:
        for flag in ("rate", "acc_unit", "gyr_unit"):
            if getattr(args, flag) is not None:
                raise InputFileError(args.file, f"--{flag.replace('_', '-')} applies to CSV input only")
        info = summarise(args.file)
    if args.format == "json":
        json.dump(info, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_csv_text(info) if is_csv else _text(info))
    return EXIT_OK
