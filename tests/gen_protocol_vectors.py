"""Generate the golden vectors of wire protocol v1: `firmware_ble/protocol_v1_vectors.json`.

Run `python tests/gen_protocol_vectors.py` from anywhere to rewrite the file. The output is
deterministic (no randomness, fixed key order), and `tests/test_protocol_core.py` checks
that the committed file equals what `render(build())` produces.

Valid packets, info values and control commands are encoded by the protocol core's own
pack functions; malformed and invalid ones are built by hand here, byte by byte, so they
do not depend on the core's format strings.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORE_PATH = ROOT / "firmware_ble" / "protocol_core.py"
VECTORS_PATH = ROOT / "firmware_ble" / "protocol_v1_vectors.json"

INT16_MIN = -32768
INT16_MAX = 32767
U32_MAX = 0xFFFFFFFF


def load_core() -> ModuleType:
    """Import `firmware_ble/protocol_core.py` by file path (no package import needed)."""
    spec = importlib.util.spec_from_file_location("reptempo_protocol_core", CORE_PATH)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {CORE_PATH}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flat(samples: list[list[int]]) -> list[int]:
    return [value for sample in samples for value in sample]


def _pattern_samples(count: int) -> list[list[int]]:
    """Deterministic, distinct int16 samples that exercise both bytes of every value."""
    rows = []
    for i in range(count):
        row = []
        for axis in range(6):
            value = (i * 1777 + axis * 5003 + 12345) % 65536 - 32768
            row.append(value)
        rows.append(row)
    return rows


def _data_cases(core: ModuleType) -> list[dict[str, Any]]:
    at_rest = [[12, -34, 4096, 3, -2, 1]]  # +1 g on z at the 8 g range, gyro near 0
    cases: list[tuple[str, int, int, list[list[int]]]] = [
        ("one_sample_at_rest_8g", 0, 0, at_rest),
        ("max_payload_19_samples", 1234, 100_000, _pattern_samples(19)),
        ("mtu_185_14_samples", 77, 5_000_000, _pattern_samples(14)),
        (
            "extreme_int16_values",
            7,
            600,
            [
                [INT16_MIN, INT16_MAX, 0, -1, 1, -INT16_MAX],
                [INT16_MAX, INT16_MIN, -1, 0, -INT16_MAX, 1],
                [-1, -1, -1, INT16_MIN, INT16_MIN, INT16_MIN],
            ],
        ),
        ("sequence_65535", 65535, 5000, [[0, 0, 4096, 0, 0, 0]]),
        ("sequence_wraps_to_0", 0, 5001, [[0, 0, 4095, 0, 0, 0]]),
        ("counter_4294967295", 42, U32_MAX, [[1, 2, 4097, -3, -4, -5]]),
        ("counter_wraps_to_0", 43, 0, [[1, 2, 4096, -3, -4, -5]]),
        ("counter_spans_wrap_3_samples", 44, U32_MAX - 1, [[100, -100, 4096, 10, -10, 0]] * 3),
        (
            "both_maximal_two_samples",
            65535,
            U32_MAX,
            [[-4096, 0, 0, 0, 0, 16384], [-4096, 0, 0, 0, 0, -16384]],
        ),
    ]
    out = []
    for name, sequence, counter, samples in cases:
        packet = core.pack_data(sequence, counter, _flat(samples))
        out.append(
            {
                "name": name,
                "hex": packet.hex(),
                "sequence": sequence,
                "first_counter": counter,
                "samples": samples,
            }
        )
    return out


def _header(version: int, count: int, sequence: int, counter: int) -> bytes:
    return bytes((version, count)) + sequence.to_bytes(2, "little") + counter.to_bytes(4, "little")


def _sample(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(2, "little", signed=True) for v in values)


def _malformed_cases() -> list[dict[str, str]]:
    one = _sample([12, -34, 4096, 3, -2, 1])
    good = _header(1, 1, 9, 900) + one
    cases: list[tuple[str, bytes, str]] = []
    for size in range(8):
        label = "empty_notification" if size == 0 else f"header_{size}_bytes"
        cases.append((label, good[:size], "truncated_header"))
    cases += [
        ("version_0", _header(0, 1, 9, 900) + one, "unknown_version"),
        ("version_2", _header(2, 1, 9, 900) + one, "unknown_version"),
        ("version_2_short_body", _header(2, 1, 9, 900), "unknown_version"),
        ("count_0_header_only", _header(1, 0, 9, 900), "empty"),
        ("count_0_with_one_sample", _header(1, 0, 9, 900) + one, "empty"),
        ("one_byte_short", good[:-1], "wrong_length"),
        ("one_byte_extra", good + b"\x00", "wrong_length"),
        ("count_2_but_1_sample", _header(1, 2, 9, 900) + one, "wrong_length"),
        ("count_19_cut_at_20_bytes", _header(1, 19, 9, 900) + one, "wrong_length"),
        ("count_1_but_2_samples", _header(1, 1, 9, 900) + one + one, "wrong_length"),
    ]
    return [{"name": name, "hex": data.hex(), "reason": reason} for name, data, reason in cases]


def _info_cases(core: ModuleType) -> list[dict[str, Any]]:
    # (name, role, rate_hz, acc_range_g, gyro_range_dps, imu_model id, firmware version, trailing bytes)
    cases: list[tuple[str, str, int, int, int, int, list[int], bytes]] = [
        ("shin_100hz_lsm6dsox", "shin", 100, 8, 2000, 4, [1, 2, 3], b""),
        ("pelvis_100hz_icm42688p", "pelvis", 100, 16, 1000, 5, [0, 9, 0], b""),
        ("shin_left_25hz_emulator", "shin_left", 25, 2, 125, 254, [1, 0, 0], b""),
        ("shin_right_400hz_mpu6050", "shin_right", 400, 4, 250, 1, [255, 255, 255], b""),
        ("shin_200hz_mpu6886", "shin", 200, 8, 500, 2, [2, 0, 17], b""),
        ("pelvis_50hz_lsm6ds3", "pelvis", 50, 4, 2000, 3, [0, 0, 1], b""),
        ("unlisted_imu_model_id_99", "shin", 100, 8, 2000, 99, [1, 0, 0], b""),
        ("two_trailing_bytes_ignored", "pelvis", 100, 8, 2000, 254, [1, 1, 0], b"\xaa\x55"),
    ]
    out = []
    for name, role, rate, acc, gyro, model, firmware, trailing in cases:
        data = core.pack_info(role, rate, acc, gyro, model, tuple(firmware)) + trailing
        out.append(
            {
                "name": name,
                "hex": data.hex(),
                "pack_args": {
                    "role": role,
                    "rate_hz": rate,
                    "acc_range_g": acc,
                    "gyro_range_dps": gyro,
                    "imu_model": model,
                    "firmware_version": firmware,
                },
                "trailing_hex": trailing.hex(),
                "fields": core.unpack_info(data),
            }
        )
    return out


def _info_bytes(version: int, role: int, rate: int, acc: int, gyro: int) -> bytes:
    # The v1 info layout written out by hand: u8 u8 u16 u8 u16 u8 u8 u8 u8, little-endian;
    # IMU model 4 (LSM6DSOX), firmware 1.0.0.
    return struct.pack("<BBHBHBBBB", version, role, rate, acc, gyro, 4, 1, 0, 0)


def _bad_info_cases() -> list[dict[str, str]]:
    good = _info_bytes(1, 0, 100, 8, 2000)
    cases: list[tuple[str, bytes, str]] = [
        ("empty", b"", "info is 0 bytes, need at least 11"),
        ("one_byte_short", good[:-1], "info is 10 bytes, need at least 11"),
        ("version_only", good[:1], "info is 1 bytes, need at least 11"),
        ("role_4_unknown", _info_bytes(1, 4, 100, 8, 2000), "unknown role 4"),
        ("role_255_unknown", _info_bytes(1, 255, 100, 8, 2000), "unknown role 255"),
        ("rate_60_unsupported", _info_bytes(1, 0, 60, 8, 2000), "unsupported rate_hz 60"),
        ("rate_0_unsupported", _info_bytes(1, 0, 0, 8, 2000), "unsupported rate_hz 0"),
        ("acc_range_3g_unsupported", _info_bytes(1, 0, 100, 3, 2000), "unsupported acc_range_g 3"),
        ("acc_range_0_unsupported", _info_bytes(1, 0, 100, 0, 2000), "unsupported acc_range_g 0"),
        ("gyro_range_300_unsupported", _info_bytes(1, 0, 100, 8, 300), "unsupported gyro_range_dps 300"),
        ("gyro_range_4000_unsupported", _info_bytes(1, 0, 100, 8, 4000), "unsupported gyro_range_dps 4000"),
        ("version_0", _info_bytes(0, 0, 100, 8, 2000), "unknown protocol version 0"),
        ("version_2", _info_bytes(2, 0, 100, 8, 2000), "unknown protocol version 2"),
    ]
    return [{"name": name, "hex": data.hex(), "error_contains": error} for name, data, error in cases]


def _control_cases(core: ModuleType) -> list[dict[str, Any]]:
    cases: list[tuple[str, int, int | None]] = [
        ("start", core.CMD_START, None),
        ("stop", core.CMD_STOP, None),
    ]
    cases += [(f"set_rate_{rate}", core.CMD_SET_RATE, rate) for rate in core.RATES_HZ]
    cases += [(f"set_role_{role}", core.CMD_SET_ROLE, i) for i, role in enumerate(core.ROLES)]
    cases += [(f"identify_{secs}s", core.CMD_IDENTIFY, secs) for secs in (0, 5, 255)]
    return [
        {"name": name, "hex": core.pack_control(opcode, arg).hex(), "opcode": opcode, "arg": arg}
        for name, opcode, arg in cases
    ]


def _bad_control_cases() -> list[dict[str, str]]:
    cases: list[tuple[str, bytes, str]] = [
        ("empty", b"", "empty control command"),
        ("opcode_0x00_unknown", b"\x00", "unknown control opcode 0x00"),
        ("opcode_0x06_unknown", b"\x06", "unknown control opcode 0x06"),
        ("opcode_0xff_unknown_with_arg", b"\xff\x01", "unknown control opcode 0xff"),
        ("set_rate_no_arg", b"\x03", "needs 2 argument bytes, got 0"),
        ("set_rate_1_arg_byte", b"\x03\x64", "needs 2 argument bytes, got 1"),
        ("set_role_no_arg", b"\x04", "needs 1 argument bytes, got 0"),
        ("identify_no_arg", b"\x05", "needs 1 argument bytes, got 0"),
        ("start_extra_byte", b"\x01\x00", "needs 0 argument bytes, got 1"),
        ("stop_extra_byte", b"\x02\x01", "needs 0 argument bytes, got 1"),
        ("set_rate_extra_byte", b"\x03\x64\x00\x00", "needs 2 argument bytes, got 3"),
        ("set_role_extra_byte", b"\x04\x01\x00", "needs 1 argument bytes, got 2"),
        ("identify_extra_byte", b"\x05\x05\x00", "needs 1 argument bytes, got 2"),
        ("set_rate_60_unsupported", b"\x03\x3c\x00", "unsupported rate_hz 60"),
        ("set_rate_0_unsupported", b"\x03\x00\x00", "unsupported rate_hz 0"),
        ("set_rate_100_big_endian", b"\x03\x00\x64", "unsupported rate_hz 25600"),
        ("set_role_4_unknown", b"\x04\x04", "unknown role 4"),
        ("set_role_255_unknown", b"\x04\xff", "unknown role 255"),
    ]
    return [{"name": name, "hex": data.hex(), "error_contains": error} for name, data, error in cases]


def _max_samples_cases(core: ModuleType) -> list[dict[str, int]]:
    sizes = (20, 23, 31, 32, 44, 56, 104, 182, 185, 236, 244, 247, 509)
    return [{"payload_size": s, "samples": core.max_samples_per_packet(s)} for s in sizes]


def build() -> dict[str, Any]:
    """All vectors as a JSON-ready dict, in the order they are written."""
    core = load_core()
    return {
        "version": core.PROTOCOL_VERSION,
        "generated_by": "tests/gen_protocol_vectors.py",
        "data_packets": _data_cases(core),
        "malformed_packets": _malformed_cases(),
        "info": _info_cases(core),
        "bad_info": _bad_info_cases(),
        "control": _control_cases(core),
        "bad_control": _bad_control_cases(),
        "max_samples_per_packet": _max_samples_cases(core),
        "payload_too_small": [0, 8, 19],
    }


_INT_LIST = re.compile(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]")


def render(vectors: dict[str, Any]) -> str:
    """The file's exact text: indent 1, innermost integer lists on one line, final newline."""
    text = json.dumps(vectors, indent=1, ensure_ascii=True)
    text = _INT_LIST.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text)
    return text + "\n"


def main() -> int:
    """Rewrite the vectors file."""
    VECTORS_PATH.write_text(render(build()), encoding="utf-8")
    print(f"wrote {VECTORS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
