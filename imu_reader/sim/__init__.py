"""Ground-truth simulator: a biomechanical model of core exercises with labelled sensor streams.

`simulate(SimSettings(SessionPlan(sets=(SetPlan("straight_leg_lift"),))))` gives each
sensor's samples and raw counts, and the ground truth; `transmit_all` turns them into
protocol v1 notifications with host arrival times. See docs/simulator.md.
"""

from imu_reader.sim._anthropometry import Body
from imu_reader.sim._plan import CORE_CAPACITY, EXERCISES, Exercise, SessionPlan, SetPlan, Tempo
from imu_reader.sim._sensors import NO_ERRORS, ImuErrors, Placement
from imu_reader.sim._simulate import (
    SIM_ROLES,
    SimSettings,
    SimulatedSensor,
    Simulation,
    simulate,
    transmit_all,
)
from imu_reader.sim._truth import GroundTruth, PostureSpan, RepTruth, SetTruth, TiltEpisode

__all__ = [
    "CORE_CAPACITY",
    "EXERCISES",
    "NO_ERRORS",
    "SIM_ROLES",
    "Body",
    "Exercise",
    "GroundTruth",
    "ImuErrors",
    "Placement",
    "PostureSpan",
    "RepTruth",
    "SessionPlan",
    "SetPlan",
    "SetTruth",
    "SimSettings",
    "SimulatedSensor",
    "Simulation",
    "Tempo",
    "TiltEpisode",
    "simulate",
    "transmit_all",
]
