"""The `reptempo` command line: argument parsing only; each subcommand loads lazily.

Start-up must stay fast (`reptempo --help` well under 0.5 s), so nothing here imports
numpy, scipy, bleak or textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from reptempo import __version__

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

# Kept literal so that parsing does not import numpy; tests check them against imu_reader.csvio.
ACC_UNITS = ("g", "m/s2")
GYR_UNITS = ("dps", "rad/s")

DESCRIPTION = """\
reptempo counts your reps, times the lowering phase of each one and watches your pelvis
during core work (leg lifts, dead bugs, hanging leg raises). It reads two Bluetooth IMUs
(shin and pelvis), recordings, or CSV files from other devices and phones.
"""

EPILOG = """\
examples:
  reptempo info session.mcap                 what a recording holds
  reptempo export session.mcap --out csv/    one CSV per sensor, for other tools

Run 'reptempo COMMAND --help' for the options of one command.
"""


def _add_info(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "info",
        help="show what a recording or CSV export holds: sensors, rates, loss, metadata, labels",
        description="Show what a recording holds: its sensors (role, IMU, nominal and measured rate), "
        "duration, packets, loss and duplicates per sensor, session metadata and whether it has "
        "ground-truth labels. Given a CSV file, a Sensor Logger recording or a phyphox export "
        "instead (anything not named *.mcap), show its format, rate, duration, gaps and the "
        "median acceleration magnitude, a check of the units (a still sensor reads 1 g).",
    )
    p.add_argument("file", help="an MCAP recording made by reptempo, or a CSV / phone export")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument(
        "--rate", type=float, metavar="HZ", help="CSV only: sample rate when there is no time column"
    )
    p.add_argument("--acc-unit", choices=ACC_UNITS, help="CSV only: accelerometer unit (default: m/s2)")
    p.add_argument("--gyr-unit", choices=GYR_UNITS, help="CSV only: gyroscope unit (default: rad/s)")


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="write a recording as one CSV per sensor (plus labels and events as JSON)",
        description="Write each sensor of a recording as a canonical CSV on the session timeline "
        "(time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z), named ROLE.csv, plus labels.json and "
        "events.json when the recording has them. Files appear only when all were written.",
    )
    p.add_argument("file", help="an MCAP recording made by reptempo")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write to (created if missing)")
    p.add_argument("--acc-unit", choices=ACC_UNITS, default="m/s2", help="accelerometer unit (default: m/s2)")
    p.add_argument("--gyr-unit", choices=GYR_UNITS, default="rad/s", help="gyroscope unit (default: rad/s)")


COMMANDS = {"info": _add_info, "export": _add_export}


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="reptempo",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reptempo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"reptempo.commands.{args.command}")
    try:
        code: int = module.run(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        from imu_reader import ReaderError

        if isinstance(exc, ReaderError):
            print(f"reptempo {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise
    return code
