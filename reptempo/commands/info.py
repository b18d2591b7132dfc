"""`reptempo info FILE`: what a recording holds."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

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
    info = summarise(args.file)
    if args.format == "json":
        json.dump(info, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_text(info))
    return EXIT_OK
