"""`reptempo analyze`: reps, tempo, tilt episodes and sets of a recording or CSV files.

The samples go through `dsp.pipeline.Pipeline` the way a live session feeds it: every
sensor's samples of one second of session time together, second after second, so that the
shin and the pelvis advance side by side (the pipeline pairs a tilt with the leg angle at
that moment). The events that come out are collected into one result: a summary, the reps,
the tilt episodes and the sets (docs/analyze.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imu_reader import InputFileError
from reptempo.cli import EXIT_OK, OptionError

if TYPE_CHECKING:
    from dsp import SensorSamples
    from dsp.events import Event, Rep
    from dsp.settings import Settings

BLOCK_S = 1.0
"""Session time fed to the pipeline at once: about what a live session hands over."""

MIN_RATE_HZ = 25.0
MAX_RATE_HZ = 400.0
"""The sample rates the pipeline is built for."""

COMMON_RATES_HZ = (25.0, 50.0, 100.0, 200.0, 400.0)
"""Nominal rates a rate measured from a CSV's time column is snapped to when close."""

RATE_TOLERANCE = 0.05
"""Relative difference within which a measured rate counts as a nominal one: sensor
oscillators are off by a few percent, and phones deliver a little under what they promise."""

REP_KEYS = (
    "index",
    "set",
    "start_s",
    "top_s",
    "bottom_s",
    "end_s",
    "concentric_s",
    "pause_top_s",
    "eccentric_s",
    "pause_bottom_s",
    "tempo",
    "rom_deg",
    "partial",
    "max_anterior_tilt_deg",
    "max_posterior_tilt_deg",
    "flags",
)
"""The fields of a rep in the JSON output, in order."""


@dataclass(frozen=True)
class Session:
    """What to analyse.

    Attributes:
        files: the input files: `{"recording": path}`, or `{"shin": path, "pelvis": path}`.
        samples: each sensor's samples on one session timeline, by role.
        rates_hz: each sensor's nominal rate, by role.
        start_s: start of the session on its timeline: 0 for a recording (the session
            start), the first sample for CSV files.
        end_s: the last sample of any sensor.
        gyro_range_dps: each sensor's gyro full scale where known (a recording's sensor
            info; a CSV does not say), by role.
    """

    files: dict[str, str]
    samples: dict[str, SensorSamples]
    rates_hz: dict[str, float]
    start_s: float
    end_s: float
    gyro_range_dps: dict[str, float] = dataclasses.field(default_factory=dict)


# --- options --------------------------------------------------------------------------


def parse_rate(text: str | None) -> float | None:
    """The value of --rate, in Hz.

    Raises:
        OptionError: not a number, or outside the rates the pipeline handles.
    """
    if text is None:
        return None
    try:
        rate = float(text)
    except ValueError:
        raise OptionError("--rate", f"not a number: {text!r}") from None
    if not (math.isfinite(rate) and MIN_RATE_HZ <= rate <= MAX_RATE_HZ):
        raise OptionError("--rate", f"must be {MIN_RATE_HZ:g} to {MAX_RATE_HZ:g} Hz, got {text}")
    return rate


def load_settings(path: str | None) -> Settings | None:
    """The pipeline settings from the `[dsp]` table of a TOML file; None without a file.

    Other tables are left alone: the same file configures other commands.

    Raises:
        InputFileError: the file is missing, not TOML, or `[dsp]` holds an unknown key or
            a bad value (naming the file and the key).
    """
    if path is None:
        return None
    from dsp.settings import Settings

    try:
        with open(path, "rb") as f:
            config = tomllib.load(f)
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, expected a TOML file") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(path, f"not valid TOML: {exc}") from None
    table = config.get("dsp", {})
    if not isinstance(table, dict):
        raise InputFileError(path, "dsp must be a table ([dsp])")
    for key, value in table.items():
        # Settings would turn "3" into 3.0 and true into 1.0; a config with either is a mistake.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputFileError(path, f"[dsp] {key}: must be a number, got {value!r}")
    try:
        return Settings.from_dict(table, where="[dsp]")
    except ValueError as exc:
        raise InputFileError(path, str(exc)) from None


# --- input ----------------------------------------------------------------------------


def load_recording(path: str) -> Session:
    """The sensors of an MCAP recording, decoded as a live session decodes them.

    Raises:
        InputFileError: not a readable reptempo recording, or no sensor with samples.
    """
    from imu_reader.recording import read_recording

    try:
        rec = read_recording(path)
    except InputFileError as exc:
        if Path(path).suffix.lower() == ".mcap":
            raise
        # The commonest mistake: a CSV given where a recording goes.
        raise InputFileError(
            exc.path, f"{exc.reason}; for CSV input use --shin {path}", where=exc.where
        ) from None
    for warning in rec.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    samples: dict[str, SensorSamples] = {}
    rates: dict[str, float] = {}
    ranges: dict[str, float] = {}
    for role, sensor in rec.sensors.items():
        if not len(sensor.samples):
            print(f"warning: {path}: sensor {role} has no samples; left out", file=sys.stderr)
            continue
        rate = float(sensor.info.rate_hz)
        if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
            raise InputFileError(
                path,
                f"sensor {role} runs at {rate:g} Hz; the rep counter handles {MIN_RATE_HZ:g} to "
                f"{MAX_RATE_HZ:g} Hz",
            )
        samples[role] = sensor.samples
        rates[role] = rate
        # The pipeline recovers the angle of a leg swung faster than the gyro can read.
        ranges[role] = float(sensor.info.gyro_range_dps)
    if not samples:
        raise InputFileError(path, "no sensor has any samples")
    return Session({"recording": path}, samples, rates, 0.0, rec.duration_s, ranges)


def nominal_rate_hz(samples: SensorSamples, path: str, given_hz: float | None) -> float:
    """The rate to tell the pipeline for samples read from a CSV file.

    With --rate, that rate, after checking that the time column agrees; without it, the
    median step's rate, snapped to a common nominal rate within `RATE_TOLERANCE`, else
    rounded to 1 Hz.

    Raises:
        InputFileError: --rate contradicts the time column, or the rate is out of range.
    """
    import numpy as np

    step_s = float(np.median(np.diff(samples.time_s)))
    measured_hz = 1.0 / step_s
    if given_hz is not None:
        if abs(measured_hz / given_hz - 1.0) > RATE_TOLERANCE:
            raise InputFileError(
                path,
                f"--rate {given_hz:g} Hz contradicts the time column (median step {1000 * step_s:.2f} ms, "
                f"{measured_hz:.1f} Hz): leave --rate out for a file with times in seconds",
            )
        return given_hz
    near = [r for r in COMMON_RATES_HZ if abs(measured_hz / r - 1.0) <= RATE_TOLERANCE]
    rate = near[0] if near else float(round(measured_hz))
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise InputFileError(
            path,
            f"sample rate {measured_hz:.1f} Hz (median time step) is outside the {MIN_RATE_HZ:g} to "
            f"{MAX_RATE_HZ:g} Hz the rep counter handles; --rate resamples a phone export (e.g. --rate 100)",
        )
    return rate


def load_csv(
    shin: str, pelvis: str | None, rate_hz: float | None, acc_unit: str | None, gyr_unit: str | None
) -> Session:
    """The shin (and pelvis) sensor from CSV files or phone exports.

    Raises:
        InputFileError: a file is missing or malformed, its rate is unusable, or the two
            files do not overlap in time.
    """
    from imu_reader.csvio import read_sensor_csv

    files = {"shin": shin} if pelvis is None else {"shin": shin, "pelvis": pelvis}
    samples: dict[str, SensorSamples] = {}
    rates: dict[str, float] = {}
    for role, path in files.items():
        samples[role] = read_sensor_csv(
            path, role=role, rate_hz=rate_hz, acc_unit=acc_unit, gyr_unit=gyr_unit
        )
        rates[role] = nominal_rate_hz(samples[role], path, rate_hz)
    spans = {role: (float(s.time_s[0]), float(s.time_s[-1])) for role, s in samples.items()}
    if pelvis is not None:
        (a0, a1), (b0, b1) = spans["shin"], spans["pelvis"]
        if b0 > a1 or a0 > b1:
            raise InputFileError(
                pelvis,
                f"does not overlap in time with the shin file (shin {a0:.2f} to {a1:.2f} s, pelvis "
                f"{b0:.2f} to {b1:.2f} s): both files must share one time origin",
            )
    start_s = min(lo for lo, _ in spans.values())
    end_s = max(hi for _, hi in spans.values())
    return Session(files, samples, rates, start_s, end_s)


# --- running the pipeline -------------------------------------------------------------


def blocks(
    samples: Mapping[str, SensorSamples], block_s: float = BLOCK_S
) -> Iterator[dict[str, SensorSamples]]:
    """Every sensor's samples of one `block_s` of session time together, in time order.

    Block edges sit at whole multiples of `block_s` on the session timeline; a block holds
    the samples in [edge, next edge) of each sensor that has any there. Every sample is
    in exactly one block.
    """
    import numpy as np

    present = {role: s for role, s in samples.items() if len(s)}
    if not present:
        return
    first = min(float(s.time_s[0]) for s in present.values())
    last = max(float(s.time_s[-1]) for s in present.values())
    k0 = math.floor(first / block_s)
    edges = (k0 + np.arange(1, math.floor(last / block_s) - k0 + 2)) * block_s
    cuts = {role: np.searchsorted(s.time_s, edges, side="left") for role, s in present.items()}
    done = dict.fromkeys(present, 0)
    for k in range(edges.shape[0]):
        block = {}
        for role, s in present.items():
            hi = int(cuts[role][k])
            if hi > done[role]:
                block[role] = s.part(done[role], hi)
                done[role] = hi
        if block:
            yield block


def run_pipeline(session: Session, settings: Settings | None) -> tuple[list[Event], bool]:
    """All events of the session, and whether tilt was analysed (a pelvis sensor took part).

    Raises:
        InputFileError: the session has no shin sensor to count reps on.
    """
    from dsp.pipeline import SHIN_ROLES, Pipeline

    if not any(role in SHIN_ROLES for role in session.samples):
        where = next(iter(session.files.values()))
        raise InputFileError(
            where,
            f"no shin sensor (found {', '.join(session.samples)}): reps are counted on a shin "
            f"({', '.join(SHIN_ROLES)})",
        )
    pipeline = Pipeline(session.rates_hz, settings, gyro_range_dps=session.gyro_range_dps or None)
    events: list[Event] = []
    for block in blocks(session.samples):
        events += pipeline.process(block)
    events += pipeline.finish()
    return events, pipeline.has_tilt


# --- the result -----------------------------------------------------------------------


def _num(value: float | None, digits: int) -> float | None:
    """Rounded for output; None stays None, and so does anything not finite (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def rep_record(rep: Rep, has_tilt: bool) -> dict[str, Any]:
    """One rep as the JSON output has it."""
    from dsp.events import event_dict

    raw = event_dict(rep)
    raw["set"] = raw.pop("set_index")
    out: dict[str, Any] = {}
    for key in REP_KEYS:
        value = raw[key]
        if key.endswith("_s"):
            value = _num(value, 3)
        elif key.endswith("_deg"):
            value = _num(value, 2)
        out[key] = value
    if not has_tilt:
        out["max_anterior_tilt_deg"] = out["max_posterior_tilt_deg"] = None
    out["flags"] = list(raw["flags"])
    return out


def _tilt_record(
    onset_s: float, end_s: float | None, peak_deg: float, leg_angle_deg: float | None
) -> dict[str, Any]:
    return {
        "onset_s": _num(onset_s, 3),
        "end_s": _num(end_s, 3),
        "peak_deg": _num(peak_deg, 2),
        "leg_angle_at_onset_deg": _num(leg_angle_deg, 2),
    }


def tilt_records(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Tilt episodes: each recovered one, then any still open when the session ended.

    An open episode comes from its onset: `end_s` is null and `peak_deg` is the tilt at the
    threshold crossing, the largest the events tell of.
    """
    from dsp.events import TiltOnset, TiltRecovered

    out = []
    open_onsets: list[TiltOnset] = []
    for event in events:
        if isinstance(event, TiltOnset):
            open_onsets.append(event)
        elif isinstance(event, TiltRecovered):
            same = [o for o in open_onsets if o.onset_s == event.onset_s]
            # Episodes never overlap, so a recovery closes the oldest open one if none matches exactly.
            if same or open_onsets:
                open_onsets.remove(same[0] if same else open_onsets[0])
            out.append(_tilt_record(event.onset_s, event.end_s, event.peak_deg, event.leg_angle_at_onset_deg))
    for onset in open_onsets:
        out.append(_tilt_record(onset.onset_s, None, onset.tilt_deg, onset.leg_angle_at_onset_deg))
    out.sort(key=lambda t: t["onset_s"] if t["onset_s"] is not None else math.inf)
    return out


def result(
    session: Session, events: Sequence[Event], has_tilt: bool, settings: Settings | None
) -> dict[str, Any]:
    """Summary, reps, tilt episodes and sets: what `analyze --format json` prints."""
    from dsp.events import PostureChanged, Rep, SetDone
    from dsp.settings import Settings

    reps = sorted((e for e in events if isinstance(e, Rep)), key=lambda r: r.index)
    sets = sorted((e for e in events if isinstance(e, SetDone)), key=lambda s: s.index)
    rep_rows = [rep_record(r, has_tilt) for r in reps]
    tilts = tilt_records(events) if has_tilt else []
    full = [r for r in reps if not r.partial]
    eccentric_mean = sum(r.eccentric_s for r in full) / len(full) if full else None
    flag_counts: dict[str, int] = {}
    for r in reps:
        for flag in r.flags:
            flag_counts[flag] = flag_counts.get(flag, 0) + 1
    summary: dict[str, Any] = {
        "rep_count": len(reps),
        "full_rep_count": len(full),
        "set_count": len(sets),
        "duration_s": _num(session.end_s - session.start_s, 3),
        "start_s": _num(session.start_s, 3),
        "end_s": _num(session.end_s, 3),
        "tilt_count": len(tilts) if has_tilt else None,
        "eccentric_mean_s": _num(eccentric_mean, 3),
        "flag_counts": flag_counts,
        "has_tilt": has_tilt,
        "files": dict(session.files),
        "sensors": {
            role: {"rate_hz": rate, "samples": len(session.samples[role])}
            for role, rate in session.rates_hz.items()
        },
        "settings": dataclasses.asdict(settings or Settings()),
    }
    set_rows = [
        {
            "index": s.index,
            "start_s": _num(s.start_s, 3),
            "end_s": _num(s.end_s, 3),
            "rep_count": s.rep_count,
            "safe_end_range_deg": _num(s.safe_end_range_deg, 2) if has_tilt else None,
        }
        for s in sets
    ]
    # A posture learnt late (a standing start, shown by the jump to a bar) replaces the one
    # told from the same moment.
    latest = {e.start_s: e.posture for e in events if isinstance(e, PostureChanged)}
    postures = [{"start_s": _num(t, 3), "posture": p} for t, p in sorted(latest.items())]
    return {
        "summary": summary,
        "reps": rep_rows,
        "tilt_events": tilts,
        "sets": set_rows,
        "postures": postures,
    }


# --- text output ----------------------------------------------------------------------


def clock(time_s: float | None) -> str:
    """Session time as m:ss.s (h:mm:ss.s past an hour); '-' when unknown."""
    if time_s is None:
        return "-"
    sign = "-" if time_s < 0 else ""
    tenths = round(abs(time_s) * 10)
    minutes, tenths = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenths // 10:02d}.{tenths % 10}"
    return f"{sign}{hours}:{minutes:02d}:{seconds}" if hours else f"{sign}{minutes}:{seconds}"


def _fixed(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 0) -> list[str]:
    """Columns padded to their widest cell: the last `left` columns flush left, the others right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.ljust(w) if i >= len(header) - left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def text(res: dict[str, Any]) -> str:
    """The result as tables for people: reps, sets, tilt episodes (numbered from 1)."""
    summary = res["summary"]
    sensors = ", ".join(f"{role} {info['rate_hz']:g} Hz" for role, info in summary["sensors"].items())
    files = "  ".join(
        f"{path}" if role == "recording" else f"{role}: {path}" for role, path in summary["files"].items()
    )
    tilt = (
        f"{summary['tilt_count']} tilt episodes"
        if summary["has_tilt"]
        else "no pelvis sensor: no tilt analysis"
    )
    lines = [
        f"input     {files}",
        f"sensors   {sensors}",
        f"session   {clock(summary['start_s'])} to {clock(summary['end_s'])} ({summary['duration_s']:.1f} s)",
        f"reps      {summary['rep_count']} ({summary['full_rep_count']} full) in {summary['set_count']} "
        f"set{'s' if summary['set_count'] != 1 else ''}; {tilt}",
    ]
    if summary["eccentric_mean_s"] is not None:
        lines.append(f"lowering  {summary['eccentric_mean_s']:.1f} s on average (full reps)")
    lines.append("")
    if res["reps"]:
        rows = [
            [
                str(r["index"] + 1),
                str(r["set"] + 1),
                clock(r["start_s"]),
                clock(r["end_s"]),
                r["tempo"],
                _fixed(r["eccentric_s"]),
                _fixed(r["rom_deg"], 0),
                _fixed(r["max_anterior_tilt_deg"]),
                _fixed(r["max_posterior_tilt_deg"]),
                " ".join(r["flags"]),
            ]
            for r in res["reps"]
        ]
        header = [
            *("rep", "set", "start", "end", "tempo E-B-C-T", "lower s", "ROM deg"),
            *("tilt deg", "curl deg", "flags"),
        ]
        lines += _table(header, rows, left=1)
    else:
        lines.append("no reps found")
    if res["sets"]:
        lines.append("")
        rows = [
            [
                str(s["index"] + 1),
                clock(s["start_s"]),
                clock(s["end_s"]),
                str(s["rep_count"]),
                _fixed(s["safe_end_range_deg"]),
            ]
            for s in res["sets"]
        ]
        lines += _table(["set", "start", "end", "reps", "safe end range deg"], rows)
    if res["tilt_events"]:
        lines.append("")
        rows = [
            [
                str(i + 1),
                clock(t["onset_s"]),
                clock(t["end_s"]) if t["end_s"] is not None else "(open)",
                _fixed(t["peak_deg"]),
                _fixed(t["leg_angle_at_onset_deg"]),
            ]
            for i, t in enumerate(res["tilt_events"])
        ]
        lines += _table(["tilt", "onset", "end", "peak deg", "leg angle at onset deg"], rows)
    if res["postures"]:
        lines.append("")
        lines.append(
            "posture   " + ", ".join(f"{p['posture']} from {clock(p['start_s'])}" for p in res["postures"])
        )
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------------


def _check_inputs(args: argparse.Namespace) -> None:
    if args.recording is not None and (args.shin is not None or args.pelvis is not None):
        flag = "--shin" if args.shin is not None else "--pelvis"
        raise OptionError(flag, "give either a recording or CSV files (--shin, --pelvis), not both")
    if args.recording is None and args.shin is None:
        if args.pelvis is not None:
            raise OptionError("--pelvis", "needs --shin too: reps are counted on the shin")
        raise OptionError("--shin", "no input: give a recording (FILE.mcap) or --shin FILE.csv")
    if args.recording is not None:
        for flag in ("rate", "acc_unit", "gyr_unit"):
            if getattr(args, flag) is not None:
                raise OptionError(f"--{flag.replace('_', '-')}", "applies to CSV input (--shin) only")


def run(args: argparse.Namespace) -> int:
    """Analyse the recording or CSV files of `args` and print the result."""
    _check_inputs(args)
    rate_hz = parse_rate(args.rate)
    settings = load_settings(args.config)
    if args.recording is not None:
        session = load_recording(args.recording)
    else:
        session = load_csv(args.shin, args.pelvis, rate_hz, args.acc_unit, args.gyr_unit)
    events, has_tilt = run_pipeline(session, settings)
    res = result(session, events, has_tilt, settings)
    if args.format == "json":
        json.dump(res, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(text(res))
    return EXIT_OK
