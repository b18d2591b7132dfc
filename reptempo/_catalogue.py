"""What the simulator offers, as literal tables for the argument parser.

`reptempo --help` must not import numpy, and `imu_reader.sim` does; these copies keep the
parser light. tests/test_cli_sim.py checks that they equal the library's own tables.
"""

from __future__ import annotations

EXERCISES: dict[str, str] = {
    "dead_bug": "from tabletop, extend one leg long and low, return; legs alternate",
    "heel_taps": "from tabletop, lower one bent leg until the heel taps the floor; legs alternate",
    "single_leg_lift": "one straight leg lifts to vertical, the other foot stays on the floor",
    "bent_knee_lift": "both legs, knees at 90 degrees, from feet near the floor to knees over hips",
    "straight_leg_lift": "both legs straight, from just off the floor to vertical",
    "hanging_leg_raise": (
        "hanging from a bar, straight legs raised to horizontal; the pelvis curls at the top"
    ),
    "reverse_crunch": "from tabletop, curl the hips off the floor towards the chest",
}
"""Exercise name -> one-line description (`imu_reader.sim.EXERCISES`)."""

CORE_LEVELS = ("strong", "moderate", "weak")
"""The athlete's core capacity (`imu_reader.sim.CORE_CAPACITY`)."""

SIM_ROLES = ("shin", "pelvis", "shin_left", "shin_right")
"""Sensor roles the simulator can strap on (`imu_reader.sim.SIM_ROLES`)."""

RATES_HZ = (25, 50, 100, 200, 400)
"""Sensor rates of wire protocol v1 (`firmware_ble.protocol_core.RATES_HZ`)."""


def exercise_table(indent: str = "  ") -> str:
    """The exercises, one per line: name, then description, in aligned columns."""
    width = max(map(len, EXERCISES))
    return "\n".join(f"{indent}{name:<{width}}  {text}" for name, text in EXERCISES.items())
