"""`reptempo live`, `scan` and `sim --ble` on the command line: the two-terminal demo of the
README run as a user runs it (two processes over TCP), and bad options."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from reptempo import cli
from reptempo.sim_process import free_port, reptempo_command, sim_ble

REPTEMPO = reptempo_command()


@pytest.mark.slow
def test_the_readme_two_terminal_demo_counts_the_reps() -> None:
    with sim_ble(
        "--exercise", "straight_leg_lift", "--reps", "3", "--seed", "2", "--loss", "0.02"
    ) as backend:
        live = subprocess.run(
            [
                *REPTEMPO,
                "live",
                "--ble-backend",
                backend,
                "--format",
                "json",
                "--duration",
                "38",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        set_role = subprocess.run(
            [*REPTEMPO, "scan", "--ble-backend", backend, "--set-role", "C0:52:54:00:00:02=shin_left"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        scan = subprocess.run(
            [*REPTEMPO, "scan", "--ble-backend", backend, "--timeout", "0.5"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert live.returncode == 0, live.stderr
    records = [json.loads(line) for line in live.stdout.splitlines()]
    kinds = [r["type"] for r in records]
    assert kinds.count("rep") == 3
    assert kinds.count("set") == 1
    connected = [r["role"] for r in records if r["type"] == "sensor" and r["state"] == "connected"]
    assert sorted(connected) == ["pelvis", "shin"]
    summary = records[-1]
    assert summary["type"] == "summary"
    assert summary["reps"] == 3
    links = {r["role"]: r for r in records if r["type"] == "link_summary"}
    assert 0.0 < links["shin"]["loss_percent"] < 6.0
    assert set_role.returncode == 0, set_role.stderr
    assert set_role.stdout == (
        "C0:52:54:00:00:02: a shin_left sensor at 100 Hz; it advertises as reptempo-shin_left from now on\n"
    )
    assert scan.returncode == 0, scan.stderr
    lines = scan.stdout.splitlines()
    assert lines[0].split() == ["name", "address", "role", "battery", "RSSI", "rate", "firmware"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["reptempo-shin", "C0:52:54:00:00:01", "shin"],
        ["reptempo-shin_left", "C0:52:54:00:00:02", "shin_left"],
    ]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_ends_a_live_session_cleanly_and_sigusr1_calibrates(signum: int) -> None:
    with sim_ble("--exercise", "straight_leg_lift", "--reps", "2", "--seed", "4") as backend:
        live = subprocess.Popen(
            [*REPTEMPO, "live", "--ble-backend", backend, "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert live.stdout is not None
            connected = 0
            for line in live.stdout:
                record = json.loads(line)
                connected += record["type"] == "sensor" and record["state"] == "connected"
                if connected == 2:
                    break
            time.sleep(1.0)
            live.send_signal(signal.SIGUSR1)  # the calibrate command, which goes on
            time.sleep(0.5)
            live.send_signal(signum)
            rest, err = live.communicate(timeout=30)
        finally:
            live.kill()
            for pipe in (live.stdout, live.stderr):
                if pipe is not None:
                    pipe.close()
    assert live.returncode == 0, err
    records = [json.loads(line) for line in rest.splitlines()]
    assert [r["role"] for r in records if r.get("state") == "disconnected"] == ["shin", "pelvis"]
    assert all(r["reason"] == "stopped" for r in records if r.get("state") == "disconnected")
    assert sorted(r["role"] for r in records if r["type"] == "link_summary") == ["pelvis", "shin"]
    assert records[-1]["type"] == "summary"
    notes = [r["note"] for r in records if r["type"] == "note"]
    assert notes == ["calibrating: lie still on your back for a second"]


def test_live_without_the_link_is_one_line_and_exit_1() -> None:
    port = free_port()  # nothing listens there
    result = subprocess.run(
        [*REPTEMPO, "live", "--ble-backend", f"bumble:tcp-client:127.0.0.1:{port}", "--duration", "5"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"reptempo live: error: cannot open the bumble transport 'tcp-client:127.0.0.1:{port}': "
        f"[Errno 111] Connect call failed ('127.0.0.1', {port})"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["live", "--ble-backend", "bluez"], "--ble-backend: expected 'platform' or 'bumble:TRANSPORT'"),
        (["live", "--sensors", "shin,shin"], "--sensors: expected distinct comma-separated roles"),
        (["live", "--sensors", "knee"], "--sensors: unknown role 'knee'"),
        (["live", "--rate", "60"], "--rate: unsupported rate 60 Hz"),
        (
            ["live", "--sensors", "shin", "--address", "pelvis=AA"],
            "--address: expected ROLE=ADDRESS with ROLE",
        ),
        (["scan", "--ble-backend", "bumble:"], "--ble-backend: expected 'platform' or 'bumble:TRANSPORT'"),
        (["scan", "--set-role", "C0:52:54:00:00:01=hip"], "--set-role: expected ADDRESS=ROLE"),
        (["scan", "--identify", "C0:52:54:00:00:01=300"], "--identify: expected ADDRESS or ADDRESS=S"),
        (
            ["scan", "--identify", "A", "--set-role", "B=shin"],
            "--identify: --set-role and --identify must name",
        ),
        (
            ["sim", "--ble", "tcp-client:1:2", "--exercise", "dead_bug"],
            "--ble: expected tcp-server:HOST:PORT",
        ),
        (
            ["sim", "--out", "x.mcap", "--exercise", "dead_bug", "--drop-after", "3"],
            "--drop-after: only with --ble",
        ),
        (
            [
                "sim",
                "--ble",
                "tcp-server:127.0.0.1:0",
                "--exercise",
                "dead_bug",
                "--drop-sensor",
                "pelvis",
                "--sensors",
                "shin",
            ],
            "--drop-sensor: 'pelvis' is not one of --sensors",
        ),
        (
            ["sim", "--ble", "tcp-server:127.0.0.1:0", "--exercise", "dead_bug", "--samples-per-packet", "4"],
            "--samples-per-packet: not with --ble",
        ),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == cli.EXIT_BAD_INPUT
    assert len(err.splitlines()) == 1
    assert err.startswith(f"reptempo {argv[0]}: error: {message}")


def test_sim_needs_out_or_ble(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["sim", "--exercise", "dead_bug"])
    assert exit_info.value.code == 2
    assert "one of the arguments --out --ble is required" in capsys.readouterr().err
