"""`reptempo export FILE --out DIR`: one canonical CSV per sensor, labels and events as JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from reptempo.cli import EXIT_OK

EXPORT_NAMES = ("labels.json", "events.json")
"""Files an export writes besides ROLE.csv; stale ones from an earlier export are removed."""


def run(args: argparse.Namespace) -> int:
    """Export `args.file` into `args.out`; files appear only once all are written."""
    from imu_reader import InputFileError
    from imu_reader.csvio import write_canonical_csv
    from imu_reader.recording import read_recording

    rec = read_recording(args.file)
    for warning in rec.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputFileError(out, "--out must be a directory, and this is a file")
    out.mkdir(parents=True, exist_ok=True)
    # Write everything into a scratch directory beside the target, then move it in.
    with tempfile.TemporaryDirectory(dir=out, prefix=".export-") as scratch:
        written: list[str] = []
        for role, sensor in rec.sensors.items():
            if len(sensor.samples) < 2:
                print(
                    f"warning: {args.file}: sensor {role} has {len(sensor.samples)} samples; no CSV",
                    file=sys.stderr,
                )
                continue
            name = f"{role}.csv"
            write_canonical_csv(
                sensor.samples, Path(scratch) / name, acc_unit=args.acc_unit, gyr_unit=args.gyr_unit
            )
            written.append(name)
        for name, payload in zip(EXPORT_NAMES, (rec.labels, rec.events or None), strict=True):
            if payload is not None:
                (Path(scratch) / name).write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
                written.append(name)
        for name in written:
            shutil.move(str(Path(scratch) / name), str(out / name))
    # JSON from an earlier export of another recording would now be mistaken for this one's.
    for name in EXPORT_NAMES:
        if name not in written:
            (out / name).unlink(missing_ok=True)
    for name in written:
        print(out / name)
    return EXIT_OK
