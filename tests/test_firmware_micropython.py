"""The firmware's protocol core against the golden vectors, in real MicroPython.

MicroPython runs as its WebAssembly port under Node.js (npm package
@micropython/micropython-webassembly-pyscript, installed by scripts/test into
tests/micropython/node_modules). The same checker runs under CPython in
test_protocol_core.py: one set of cases, two interpreters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mpy_tools import ROOT, run_micropython

pytestmark = pytest.mark.firmware

SCRIPT = """
import sys, json
sys.path.insert(0, "/fw")
import protocol_core, check_vectors
with open("/fw/protocol_v1_vectors.json") as f:
    vectors = json.load(f)
failures = check_vectors.run(protocol_core, vectors)
kinds = ("data_packets", "malformed_packets", "info", "bad_info", "control", "bad_control")
cases = sum(len(vectors[k]) for k in kinds)
print("implementation", sys.implementation.name)
print("cases", cases, "failures", len(failures))
for failure in failures:
    print("FAIL", failure)
"""


def test_golden_vectors_pass_in_micropython(tmp_path: Path) -> None:
    out = run_micropython(
        SCRIPT,
        [
            ROOT / "firmware_ble" / "protocol_core.py",
            ROOT / "firmware_ble" / "tests_core" / "check_vectors.py",
            ROOT / "firmware_ble" / "protocol_v1_vectors.json",
        ],
        tmp_path,
    )
    lines = out.splitlines()
    assert "implementation micropython" in lines
    summary = next(line for line in lines if line.startswith("cases "))
    _, cases, _, failures = summary.split()
    assert int(cases) > 50
    assert int(failures) == 0, out


def test_a_broken_vector_fails_in_micropython(tmp_path: Path) -> None:
    # The checker really checks: one flipped byte in a golden packet is reported.
    data = json.loads((ROOT / "firmware_ble" / "protocol_v1_vectors.json").read_text())
    packet = data["data_packets"][0]
    packet["hex"] = packet["hex"][:-2] + ("00" if packet["hex"][-2:] != "00" else "01")
    broken = tmp_path / "protocol_v1_vectors.json"
    broken.write_text(json.dumps(data))
    out = run_micropython(
        SCRIPT,
        [
            ROOT / "firmware_ble" / "protocol_core.py",
            ROOT / "firmware_ble" / "tests_core" / "check_vectors.py",
            broken,
        ],
        tmp_path,
    )
    assert "failures 0" not in out
    assert "FAIL" in out
