# Battery level for the Battery Service (0x180F): the cell voltage, read through a
# resistor divider on an ADC pin, mapped to a state of charge.
#
# Pure: runs in MicroPython and CPython.

# Open-circuit voltage of a single-cell LiPo against state of charge at light load
# (mV, percent), a typical discharge curve; between points it is linear. Under the
# sensor's few tens of mA the error is a few percent, enough for "charge me soon".
_LIPO_CURVE = (
    (3300, 0), (3500, 5), (3600, 10), (3700, 25), (3750, 40),
    (3800, 50), (3850, 60), (3900, 70), (4000, 80), (4100, 90), (4200, 100),
)


def cell_mv(adc_uv, divider):
    """Cell voltage in mV from the ADC pin's voltage in microvolts and the divider ratio."""
    return int(adc_uv * divider / 1000 + 0.5)


def percent_from_mv(mv):
    """State of charge 0..100 for a cell voltage in mV."""
    if mv <= _LIPO_CURVE[0][0]:
        return 0
    for i in range(1, len(_LIPO_CURVE)):
        hi_mv, hi_pct = _LIPO_CURVE[i]
        if mv <= hi_mv:
            lo_mv, lo_pct = _LIPO_CURVE[i - 1]
            return lo_pct + ((mv - lo_mv) * (hi_pct - lo_pct) + (hi_mv - lo_mv) // 2) // (hi_mv - lo_mv)
    return 100


class LevelFilter:
    """Smooths readings and reports a new level only on a real change, so Battery Level
    notifications do not flicker between neighbours and steal air time from data."""

    def __init__(self, hysteresis_pct=2):
        self.hysteresis_pct = hysteresis_pct
        self.level = None
        self._avg_mv = None

    def update(self, mv):
        """Feed one reading; returns the new level if it should be published, else None."""
        if self._avg_mv is None:
            self._avg_mv = mv
        else:
            self._avg_mv += (mv - self._avg_mv) / 8  # about the last 8 readings
        pct = percent_from_mv(int(self._avg_mv))
        if self.level is None or abs(pct - self.level) >= self.hysteresis_pct or (pct in (0, 100) and pct != self.level):
            self.level = pct
            return pct
        return None
