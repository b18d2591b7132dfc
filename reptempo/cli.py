"""The `reptempo` command line: argument parsing only; each subcommand loads lazily.

Start-up must stay fast (`reptempo --help` well under 0.5 s), so nothing here imports
numpy, scipy, bleak or textual.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from reptempo import __version__
from reptempo._catalogue import CORE_LEVELS, RATES_HZ, SIM_ROLES, exercise_table

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
  reptempo demo                              a simulated workout, replayed in real time
  reptempo demo --speed 10                   the same, ten times faster
  reptempo sim --out s.mcap --exercise dead_bug --seed 3
                                             a labelled recording from the simulator
  reptempo info session.mcap                 what a recording holds
  reptempo analyze session.mcap              reps, tempo, tilt episodes and sets of a recording
  reptempo analyze --shin shin.csv           the same from a CSV file or phone export
  reptempo export session.mcap --out csv/    one CSV per sensor, for other tools
  reptempo scan                              the sensors in range
  reptempo live --format json                a live session, one JSON event per line

Run 'reptempo COMMAND --help' for the options of one command.
"""


class OptionError(Exception):
    """Raised by a command when an option's value cannot be used; `main` prints one line, exit 2."""

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        self.reason = reason
        super().__init__(f"{option}: {reason}")


class CommandError(Exception):
    """Raised by a command that cannot go on for a reason the user can fix (no Bluetooth
    adapter, a sensor not found): `main` prints the message as one line, exit 1."""


def _positive(text: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


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
        "--rate", type=_positive, metavar="HZ", help="CSV only: sample rate when there is no time column"
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


SIM_DESCRIPTION = """\
Simulate a workout with the biomechanical model and write it as a labelled recording,
exactly as a live session would write it: protocol v1 notifications from each sensor
with their host arrival times (clock errors, jitter and packet loss included), sensor
info, link events, and the ground truth (every rep with its phases and tempo, every
tilt episode, the lift angle and pelvic tilt over time) as labels. The file says it is
synthetic. The same options and seed give the same file, byte for byte.

A session is --sets sets of --reps reps of one exercise (alternating exercises count
each leg's movement as a rep), preceded by 6 s lying (or standing) still.

With --ble instead of --out, the workout runs in real time as emulated sensors on a
virtual Bluetooth LE link (bumble) that speak the firmware's protocol; `reptempo live`
connects to them from another terminal. See docs/ble.md.
"""


def _sim_epilog() -> str:
    return (
        "exercises:\n" + exercise_table() + "\n\nexamples:\n"
        "  reptempo sim --out slr.mcap --exercise straight_leg_lift --seed 1\n"
        "  reptempo sim --out weak.mcap --exercise straight_leg_lift --core weak --sets 2 --reps 6\n"
        "  reptempo sim --out shin25.mcap --exercise bent_knee_lift --rate 25 --sensors shin\n"
        "  reptempo sim --ble tcp-server:127.0.0.1:9100 --exercise straight_leg_lift --loss 0.05\n"
        "\nSee docs/simulator.md for the model behind each option."
    )


def _add_sim(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sim",
        help="simulate a workout and write it as a labelled recording (ground truth included)",
        description=SIM_DESCRIPTION,
        epilog=_sim_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="FILE.mcap", help="recording to write (replaced if it exists)")
    where.add_argument(
        "--ble",
        metavar="TRANSPORT",
        help="instead of a recording: run the workout in real time as emulated sensors on a virtual "
        "BLE link that apps reach on TRANSPORT, e.g. tcp-server:127.0.0.1:9100 (then: reptempo live "
        "--ble-backend bumble:tcp-client:127.0.0.1:9100)",
    )
    p.add_argument("--exercise", required=True, metavar="NAME", help="one of the exercises listed below")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed, >= 0 (default: 0)")
    p.add_argument("--sets", type=int, default=1, metavar="N", help="sets, 1 to 20 (default: 1)")
    p.add_argument("--reps", type=int, default=8, metavar="N", help="reps per set, 1 to 100 (default: 8)")
    p.add_argument(
        "--tempo",
        default="4-0-2-1",
        metavar="E-B-C-T",
        help="target seconds of eccentric (lowering), bottom pause, concentric (raising) and top "
        "hold; each rep varies around it (default: 4-0-2-1)",
    )
    p.add_argument(
        "--core",
        choices=CORE_LEVELS,
        default="moderate",
        help="the athlete's core capacity: a weak core lets the pelvis tilt (the back arches) when "
        "the legs are long and low (default: moderate)",
    )
    p.add_argument(
        "--rate",
        type=int,
        default=100,
        metavar="HZ",
        help=f"sensor rate, one of {', '.join(map(str, RATES_HZ))} (default: 100)",
    )
    p.add_argument(
        "--sensors",
        default="shin,pelvis",
        metavar="ROLES",
        help=f"comma-separated sensor roles from {', '.join(SIM_ROLES)} (default: shin,pelvis)",
    )
    p.add_argument(
        "--loss",
        type=float,
        default=0.01,
        metavar="P",
        help="share of packets lost, 0 to 0.5 (default: 0.01)",
    )
    p.add_argument(
        "--loss-burst",
        type=float,
        default=1.0,
        metavar="PACKETS",
        help="mean length of a run of lost packets, >= 1 (default: 1, independent losses)",
    )
    p.add_argument(
        "--swing",
        type=float,
        default=0.0,
        metavar="P",
        help="chance that a rep is swung: fast, ballistic, bouncing at the bottom (default: 0)",
    )
    p.add_argument(
        "--partial",
        type=float,
        default=0.05,
        metavar="P",
        help="chance that a rep stops about halfway (default: 0.05; fatigue raises it)",
    )
    p.add_argument(
        "--rest", type=float, default=40.0, metavar="S", help="rest between sets, seconds (default: 40)"
    )
    p.add_argument(
        "--height",
        type=float,
        default=1.75,
        metavar="M",
        help="athlete's height, 1.2 to 2.3 m (default: 1.75)",
    )
    p.add_argument(
        "--mass", type=float, default=75.0, metavar="KG", help="athlete's mass, 30 to 200 kg (default: 75)"
    )
    p.add_argument(
        "--samples-per-packet",
        type=int,
        default=1,
        metavar="N",
        help="samples per notification, 1 (fits the default 23-byte ATT MTU) to 19 (default: 1); "
        "with --ble the negotiated MTU decides",
    )
    p.add_argument(
        "--drop-after",
        type=float,
        metavar="S",
        help="with --ble: a sensor drops off the link S seconds after the start (default: never)",
    )
    p.add_argument(
        "--drop-for",
        type=float,
        default=5.0,
        metavar="S",
        help="with --ble: how long it stays away, seconds (default: 5)",
    )
    p.add_argument(
        "--drop-sensor",
        metavar="ROLE",
        help="with --ble: which sensor drops (default: the first of --sensors)",
    )
    p.add_argument(
        "--aligned-mounts",
        action="store_true",
        help="strap each sensor with its axes along the segment (default: a random orientation)",
    )


DEMO_DESCRIPTION = """\
A whole workout on simulated sensors, no hardware needed: a warm-up set of bent-knee
lifts, a good set of straight-leg lifts at tempo 4-0-2-1, then a set of straight-leg
lifts in which the core gives out and the lower back arches. Shin and pelvis sensors
stream at 100 Hz over a link that loses 2% of packets; their notifications go through
the same decoding and clock alignment as a live session, in real time.

Every second it prints one status line: session time, each sensor's measured rate and
packet loss, what the athlete is doing (resting, set N rep K and its phase), the true
lift angle and pelvic tilt, and "back arching" when the tilt passes 5 degrees.
Ctrl-C stops it.
"""


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="replay a simulated workout in real time: no sensors needed",
        description=DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--speed", type=float, default=1.0, metavar="X", help="replay speed, e.g. 10 (default: 1, real time)"
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the workout (default: 0)")
    p.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="stop after S seconds of session time (default: the whole workout)",
    )


ANALYZE_DESCRIPTION = """\
Run the rep counter on a whole recording or on CSV files, as a live session would
(the sensors are fed together, about one second at a time), and print every rep with
its phase times and tempo (eccentric-bottom-concentric-top, in seconds), its range of
motion and flags, every pelvic tilt episode (when the lower back arched, and the leg
angle at which it began: the end of the safe range) and every set.

Input is either an MCAP recording, or a shin sensor's CSV (--shin) with an optional
pelvis CSV (--pelvis): a canonical CSV, a Sensor Logger or phyphox export, or a file of
the UCI physical-therapy data set (see docs/csv.md). Both CSVs must share one time
origin. Without a pelvis sensor, tilt values are null (json) or '-' (text).

Output: a table (text) or one JSON object on stdout (json): summary, reps, tilt_events
and sets, times in seconds on the session timeline. See docs/analyze.md.
"""

ANALYZE_EPILOG = """\
examples:
  reptempo analyze recordings/straight_leg_lift_weak_core.mcap
  reptempo analyze session.mcap --format json --config coach.toml
  reptempo analyze --shin shin.csv --pelvis pelvis.csv --acc-unit g --gyr-unit dps
  reptempo analyze --shin ../shared/datasets/uci-pt-subject1/e3/u2/test.txt --rate 25

--config reads the [dsp] table of a TOML file, e.g.
  [dsp]
  eccentric_target_s = 3.5     # a faster lowering is flagged eccentric_too_fast
  tilt_threshold_deg = 4.0     # anterior tilt that makes a tilt episode
"""


def _add_analyze(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "analyze",
        help="count and time the reps of a recording or CSV files; tilt episodes and sets too",
        description=ANALYZE_DESCRIPTION,
        epilog=ANALYZE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "recording", nargs="?", metavar="RECORDING.mcap", help="an MCAP recording made by reptempo"
    )
    p.add_argument(
        "--shin", metavar="SHIN.csv", help="instead of a recording: the shin sensor's CSV or export"
    )
    p.add_argument("--pelvis", metavar="PELVIS.csv", help="with --shin: the pelvis sensor's CSV, for tilt")
    # Parsed by the command, not by argparse, so that a bad value is one line like every input error.
    p.add_argument(
        "--rate",
        metavar="HZ",
        help="CSV only: sample rate, 25 to 400 Hz; needed for files without time in seconds, resamples "
        "a phone export (default: from the time column)",
    )
    p.add_argument(
        "--acc-unit", choices=ACC_UNITS, help="canonical CSV only: accelerometer unit (default: m/s2)"
    )
    p.add_argument(
        "--gyr-unit", choices=GYR_UNITS, help="canonical CSV only: gyroscope unit (default: rad/s)"
    )
    p.add_argument("--config", metavar="FILE.toml", help="settings from the [dsp] table of a TOML file")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


BLE_BACKEND_HELP = (
    "'platform' (bleak's backend for this system: BlueZ, CoreBluetooth, WinRT; the default) or "
    "'bumble:TRANSPORT': bumble drives a controller itself, e.g. bumble:tcp-client:127.0.0.1:9100 for "
    "the virtual link of 'reptempo sim --ble', bumble:usb:0 for a USB dongle"
)

SCAN_DESCRIPTION = """\
Look for reptempo sensors (by their service UUID) for a few seconds, then connect to each
one in turn to read its role, battery level, rate and firmware version. With --set-role or
--identify, configure one sensor instead: give it its role (shin, pelvis...), or make it
blink to tell it from the others.
"""


def _add_scan(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="list the reptempo sensors in range: name, address, role, battery, RSSI, firmware",
        description=SCAN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--ble-backend", default="platform", metavar="BACKEND", help=BLE_BACKEND_HELP)
    p.add_argument(
        "--timeout", type=_positive, default=5.0, metavar="S", help="how long to scan, seconds (default: 5)"
    )
    p.add_argument(
        "--no-connect", action="store_true", help="only list what the sensors advertise (no role, battery...)"
    )
    p.add_argument(
        "--set-role",
        metavar="ADDRESS=ROLE",
        help=f"instead of listing: make the sensor at ADDRESS a {'/'.join(SIM_ROLES)} sensor (it keeps "
        "the role across reboots and advertises it in its name)",
    )
    p.add_argument(
        "--identify",
        metavar="ADDRESS[=S]",
        help="instead of listing: blink the sensor at ADDRESS for S seconds (default 10; 0 stops)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


LIVE_DESCRIPTION = """\
A live session: connect to the sensors (one at a time), start them streaming and print
what the DSP finds as it happens: each rep with its tempo, the lower back arching and
recovering, each set, and the sensors' link (connected, lost, back; rate and loss every
5 s). A sensor that drops out is looked for again and reconnected by itself while the
session goes on with the other one. Output goes to stdout as lines (the dashboard is not
built yet): readable text, or with --format json one JSON object per line for scripts.
Ctrl-C ends the session; the last rep and set are settled first. SIGUSR1 (kill -USR1 PID)
takes the pelvis baseline again: lie still on your back for a second.
"""

LIVE_EPILOG = """\
examples:
  reptempo live                                    shin and pelvis sensors, found by role
  reptempo live --sensors shin --format json       shin only (no tilt analysis), JSON lines
  reptempo live --address shin=C0:52:54:00:00:01   a particular sensor for a role
  reptempo sim --ble tcp-server:127.0.0.1:9100 --exercise straight_leg_lift      (terminal 1)
  reptempo live --ble-backend bumble:tcp-client:127.0.0.1:9100                   (terminal 2)
"""


def _add_live(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "live",
        help="a live session with the sensors: reps, tempo, tilt and sets as they happen",
        description=LIVE_DESCRIPTION,
        epilog=LIVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--sensors",
        default="shin,pelvis",
        metavar="ROLES",
        help=f"comma-separated roles from {', '.join(SIM_ROLES)} (default: shin,pelvis)",
    )
    p.add_argument(
        "--address",
        action="append",
        default=[],
        metavar="ROLE=ADDRESS",
        help="connect to this sensor for ROLE (default: the first sensor advertising the role); repeatable",
    )
    p.add_argument(
        "--rate",
        type=int,
        metavar="HZ",
        help=f"set the sensors' rate, one of {', '.join(map(str, RATES_HZ))} (default: keep theirs)",
    )
    p.add_argument("--ble-backend", default="platform", metavar="BACKEND", help=BLE_BACKEND_HELP)
    p.add_argument(
        "--duration", type=_positive, metavar="S", help="end the session after S seconds (default: Ctrl-C)"
    )
    p.add_argument(
        "--headless",
        action="store_true",
        help="no dashboard, lines on stdout (for now the only mode: accepted for scripts written ahead)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


COMMANDS = {
    "demo": _add_demo,
    "sim": _add_sim,
    "info": _add_info,
    "export": _add_export,
    "analyze": _add_analyze,
    "scan": _add_scan,
    "live": _add_live,
}


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
    # Before numpy loads (the commands import it): the DSP's blocks are a few to a few
    # thousand samples, where OpenBLAS's threads take the same wall time and spend CPU
    # waiting (15 % more CPU on the pipeline's hour; 0.2-0.3 % of a core in a live
    # session, against a 3 % budget). A user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"reptempo.commands.{args.command}")
    try:
        code: int = module.run(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OptionError as exc:
        print(f"reptempo {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CommandError as exc:
        print(f"reptempo {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        # Disk full, permission denied, a vanished directory: the user's to fix, not a bug.
        where = f": {exc.filename}" if exc.filename else ""
        print(f"reptempo {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        from imu_reader import ReaderError

        if isinstance(exc, ReaderError):
            print(f"reptempo {args.command}: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        raise
    return code
