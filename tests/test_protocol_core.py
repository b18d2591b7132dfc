"""Wire protocol v1 core (`firmware_ble/protocol_core.py`) against the golden vectors.

The vector checks live in `firmware_ble/tests_core/check_vectors.py` so that the firmware
tests run the very same cases in MicroPython; here CPython runs them, plus properties.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
CORE_PATH = ROOT / "firmware_ble" / "protocol_core.py"
CHECKER_PATH = ROOT / "firmware_ble" / "tests_core" / "check_vectors.py"
GENERATOR_PATH = ROOT / "tests" / "gen_protocol_vectors.py"
VECTORS_PATH = ROOT / "firmware_ble" / "protocol_v1_vectors.json"

INT16 = st.integers(min_value=-(2**15), max_value=2**15 - 1)
SAMPLE = st.lists(INT16, min_size=6, max_size=6)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


core = _load("protocol_core_under_test", CORE_PATH)
checker = _load("protocol_check_vectors", CHECKER_PATH)


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    return data


def test_every_vector_passes_the_shared_checker(vectors: dict[str, Any]) -> None:
    failures = checker.run(core, vectors)
    assert failures == []


def test_vectors_cover_what_the_spec_promises(vectors: dict[str, Any]) -> None:
    packets = vectors["data_packets"]
    sizes = {len(bytes.fromhex(p["hex"])) for p in packets}
    assert {20, 236} <= sizes
    assert {0, 65535} <= {p["sequence"] for p in packets}
    assert {0, 2**32 - 1} <= {p["first_counter"] for p in packets}
    values = {v for p in packets for row in p["samples"] for v in row}
    assert {-32768, 32767, 0, -1, 4096} <= values
    malformed = vectors["malformed_packets"]
    reasons = {m["reason"] for m in malformed}
    assert reasons == {"truncated_header", "unknown_version", "empty", "wrong_length"}
    truncated = {len(bytes.fromhex(m["hex"])) for m in malformed if m["reason"] == "truncated_header"}
    assert truncated == set(range(8))
    assert any(i["trailing_hex"] for i in vectors["info"])
    opcodes = {c["opcode"] for c in vectors["control"]}
    assert opcodes == set(core.CONTROL_ARG_SIZE)


def test_shared_checker_reports_failures(vectors: dict[str, Any]) -> None:
    """The checker must not pass a broken vector set (guards against a vacuous run)."""
    broken = json.loads(json.dumps(vectors))
    broken["data_packets"][0]["sequence"] += 1
    broken["malformed_packets"][0]["hex"] = vectors["data_packets"][0]["hex"]
    broken["bad_info"][0]["error_contains"] = "no such message"
    broken["control"][0]["opcode"] = core.CMD_STOP
    failures = checker.run(core, broken)
    assert len(failures) >= 4
    assert any(f.startswith("data_packets[") for f in failures)
    assert any(f.startswith("malformed_packets[") for f in failures)
    assert any(f.startswith("bad_info[") for f in failures)
    assert any(f.startswith("control[") for f in failures)


def test_shared_checker_rejects_other_version(vectors: dict[str, Any]) -> None:
    other = dict(vectors, version=2)
    assert checker.run(core, other) == ["vectors are for version 2, core is version 1"]


def test_vectors_file_is_up_to_date() -> None:
    generator = _load("gen_protocol_vectors_under_test", GENERATOR_PATH)
    built = generator.build()
    committed = VECTORS_PATH.read_text(encoding="utf-8")
    assert json.loads(committed) == built, "run `python tests/gen_protocol_vectors.py`"
    assert committed == generator.render(built), "run `python tests/gen_protocol_vectors.py`"


@pytest.mark.parametrize(
    ("payload_size", "samples"),
    [(20, 1), (23, 1), (185, 14), (244, 19), (247, 19)],
)
def test_max_samples_per_packet(payload_size: int, samples: int) -> None:
    assert core.max_samples_per_packet(payload_size) == samples


@pytest.mark.parametrize("payload_size", [0, 8, 19])
def test_max_samples_per_packet_rejects_too_small_payload(payload_size: int) -> None:
    with pytest.raises(ValueError, match="below one sample packet"):
        core.max_samples_per_packet(payload_size)


def test_max_payload_packet_fits_244_bytes() -> None:
    n = core.max_samples_per_packet(core.MAX_PAYLOAD)
    assert len(core.pack_data(0, 0, [0] * 6 * n)) <= core.MAX_PAYLOAD
    assert len(core.pack_data(0, 0, [0] * 6 * (n + 1))) > core.MAX_PAYLOAD


@pytest.mark.parametrize("n_values", [0, 5, 7, 6 * 256])
def test_pack_data_rejects_bad_sample_counts(n_values: int) -> None:
    with pytest.raises(ValueError, match="samples"):
        core.pack_data(0, 0, [0] * n_values)


@given(
    sequence=st.integers(min_value=0, max_value=2**16 - 1),
    counter=st.integers(min_value=0, max_value=2**32 - 1),
    samples=st.lists(SAMPLE, min_size=1, max_size=19),
)
def test_data_round_trip(sequence: int, counter: int, samples: list[list[int]]) -> None:
    flat = [v for row in samples for v in row]
    packet = core.pack_data(sequence, counter, flat)
    assert len(packet) == core.DATA_HEADER_SIZE + core.SAMPLE_SIZE * len(samples)
    assert len(packet) <= core.MAX_PAYLOAD
    assert core.unpack_data(packet) == (sequence, counter, tuple(flat))


@given(
    sequence=st.integers(min_value=-(2**20), max_value=2**20),
    counter=st.integers(min_value=-(2**40), max_value=2**40),
)
def test_pack_data_wraps_sequence_and_counter(sequence: int, counter: int) -> None:
    seq, first, _ = core.unpack_data(core.pack_data(sequence, counter, [1, 2, 3, 4, 5, 6]))
    assert seq == sequence % 2**16
    assert first == counter % 2**32


@settings(max_examples=300)
@given(st.binary(max_size=260))
def test_unpack_data_never_fails_other_than_value_error(data: bytes) -> None:
    """Arbitrary notifications decode or raise ValueError; nothing else escapes."""
    try:
        sequence, counter, samples = core.unpack_data(data)
    except ValueError:
        return
    assert core.pack_data(sequence, counter, samples) == data


@settings(max_examples=300)
@given(st.binary(max_size=16))
def test_unpack_info_and_parse_control_only_raise_value_error(data: bytes) -> None:
    for func in (core.unpack_info, core.parse_control):
        try:
            func(data)
        except ValueError:
            continue


INFO_ARGS = st.fixed_dictionaries(
    {
        "role": st.sampled_from(core.ROLES),
        "rate_hz": st.sampled_from(core.RATES_HZ),
        "acc_range_g": st.sampled_from(core.ACC_RANGES_G),
        "gyro_range_dps": st.sampled_from(core.GYRO_RANGES_DPS),
        "imu_model": st.integers(min_value=0, max_value=255),
        "firmware": st.tuples(*[st.integers(min_value=0, max_value=255)] * 3),
    }
)


@given(args=INFO_ARGS, trailing=st.binary(max_size=8))
def test_info_round_trip(args: dict[str, Any], trailing: bytes) -> None:
    data = core.pack_info(
        args["role"],
        args["rate_hz"],
        args["acc_range_g"],
        args["gyro_range_dps"],
        args["imu_model"],
        args["firmware"],
    )
    assert len(data) == core.INFO_SIZE
    assert data[0] == core.PROTOCOL_VERSION
    major, minor, patch = args["firmware"]
    assert core.unpack_info(data + trailing) == {
        "protocol_version": 1,
        "role": args["role"],
        "rate_hz": args["rate_hz"],
        "acc_range_g": args["acc_range_g"],
        "gyro_range_dps": args["gyro_range_dps"],
        "imu_model": core.IMU_MODELS.get(args["imu_model"], "unknown"),
        "firmware_version": f"{major}.{minor}.{patch}",
    }


@given(
    st.one_of(
        st.tuples(st.sampled_from([core.CMD_START, core.CMD_STOP]), st.none()),
        st.tuples(st.just(core.CMD_SET_RATE), st.sampled_from(core.RATES_HZ)),
        st.tuples(st.just(core.CMD_SET_ROLE), st.integers(min_value=0, max_value=len(core.ROLES) - 1)),
        st.tuples(st.just(core.CMD_IDENTIFY), st.integers(min_value=0, max_value=255)),
    )
)
def test_control_round_trip(command: tuple[int, int | None]) -> None:
    opcode, arg = command
    assert core.parse_control(core.pack_control(opcode, arg)) == (opcode, arg)


def test_pack_control_rejects_unknown_opcode_and_missing_arg() -> None:
    with pytest.raises(ValueError, match="unknown control opcode 0x09"):
        core.pack_control(0x09)
    with pytest.raises(ValueError, match="needs an argument"):
        core.pack_control(core.CMD_SET_RATE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("knee", 100, 8, 2000, 4, (1, 0, 0)), "unknown role 'knee'"),
        (("shin", 60, 8, 2000, 4, (1, 0, 0)), "unsupported rate_hz 60"),
        (("shin", 100, 3, 2000, 4, (1, 0, 0)), "unsupported acc_range_g 3"),
        (("shin", 100, 8, 300, 4, (1, 0, 0)), "unsupported gyro_range_dps 300"),
        (("shin", 100, 8, 2000, 256, (1, 0, 0)), "imu_model 256 out of range"),
        (("shin", 100, 8, 2000, 4, (1, 256, 0)), "firmware version part 256 out of range"),
    ],
)
def test_pack_info_rejects_what_the_protocol_cannot_carry(args: tuple[object, ...], message: str) -> None:
    # MicroPython's struct would truncate these silently, so the core checks them itself.
    with pytest.raises(ValueError, match=message):
        core.pack_info(*args)


def test_pack_control_validates_like_the_sensor() -> None:
    with pytest.raises(ValueError, match="unsupported rate_hz 60"):
        core.pack_control(core.CMD_SET_RATE, 60)
    with pytest.raises(ValueError, match="unknown role 9"):
        core.pack_control(core.CMD_SET_ROLE, 9)
    with pytest.raises(ValueError, match="does not fit 1 bytes"):
        core.pack_control(core.CMD_IDENTIFY, 300)


def test_out_of_range_int16_raises_in_cpython() -> None:
    """CPython's struct refuses values outside int16 (MicroPython truncates them silently)."""
    with pytest.raises(struct.error):
        core.pack_data(0, 0, [40000, 0, 0, 0, 0, 0])
