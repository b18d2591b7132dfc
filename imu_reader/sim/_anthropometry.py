"""Body segment parameters as fractions of height and body mass.

Values from D. A. Winter, "Biomechanics and Motor Control of Human Movement", 4th ed.
(Wiley, 2009), Table 4.1 (segment mass as a fraction of body mass, centre of mass as a
fraction of segment length from the proximal joint, after Dempster) and Figure 4.1
(segment lengths as fractions of height H).
"""

from __future__ import annotations

from dataclasses import dataclass

THIGH_LENGTH_PER_HEIGHT = 0.245  # greater trochanter to knee
SHANK_LENGTH_PER_HEIGHT = 0.246  # knee to ankle
FOOT_LENGTH_PER_HEIGHT = 0.152
HIP_HEIGHT_PER_HEIGHT = 0.530
SHOULDER_HEIGHT_PER_HEIGHT = 0.818

THIGH_MASS_FRACTION = 0.100
SHANK_MASS_FRACTION = 0.0465
FOOT_MASS_FRACTION = 0.0145
THIGH_COM_FROM_HIP = 0.433
SHANK_COM_FROM_KNEE = 0.433
FOOT_COM_FROM_ANKLE = 0.50  # along the foot; the model puts the foot's mass at the ankle plus half a foot


@dataclass(frozen=True)
class Body:
    """An athlete's size.

    Attributes:
        height_m: standing height in metres.
        mass_kg: body mass in kilograms.
    """

    height_m: float = 1.75
    mass_kg: float = 75.0

    def __post_init__(self) -> None:
        if not 1.2 <= self.height_m <= 2.3:
            raise ValueError(f"height_m must be in [1.2, 2.3], got {self.height_m}")
        if not 30.0 <= self.mass_kg <= 200.0:
            raise ValueError(f"mass_kg must be in [30, 200], got {self.mass_kg}")

    @property
    def thigh_m(self) -> float:
        """Hip to knee, m."""
        return THIGH_LENGTH_PER_HEIGHT * self.height_m

    @property
    def shank_m(self) -> float:
        """Knee to ankle, m."""
        return SHANK_LENGTH_PER_HEIGHT * self.height_m

    @property
    def foot_m(self) -> float:
        """Heel to toe, m."""
        return FOOT_LENGTH_PER_HEIGHT * self.height_m

    @property
    def thigh_kg(self) -> float:
        """Mass of one thigh, kg."""
        return THIGH_MASS_FRACTION * self.mass_kg

    @property
    def shank_kg(self) -> float:
        """Mass of one shank, kg."""
        return SHANK_MASS_FRACTION * self.mass_kg

    @property
    def foot_kg(self) -> float:
        """Mass of one foot, kg."""
        return FOOT_MASS_FRACTION * self.mass_kg

    @property
    def hip_to_shoulder_m(self) -> float:
        """Trunk length, hip joint to shoulder joint, m."""
        return (SHOULDER_HEIGHT_PER_HEIGHT - HIP_HEIGHT_PER_HEIGHT) * self.height_m
