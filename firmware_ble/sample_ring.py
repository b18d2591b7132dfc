# Ring buffer of IMU samples between the hardware FIFO and the BLE link, with the
# device sample counter of wire protocol v1 (docs/protocol.md, section 3.2).
#
# Pure: runs unchanged in MicroPython (the sensor) and CPython (tests, emulator).
# The counter counts every sample period since boot, including samples that never
# reach the host: overflow of this ring (oldest dropped) and samples the firmware
# knows it lost (hardware FIFO overrun, idle time) use up their numbers, so the host
# sees a gap in the counter instead of a silent time warp.

from array import array

try:
    from micropython import const
except ImportError:  # CPython
    def const(value):
        return value

_AXES = const(6)
_COUNTER_MODULUS = 0x100000000  # not a const: above the small-int range

# The sensor's ring: 2.5 s at the highest protocol rate (400 Hz), 10 s at 100 Hz, so a
# link that stalls for 2 s loses nothing; 12 kB of RAM.
DEFAULT_CAPACITY = 1000


def samples_in(elapsed_us, rate_hz):
    """Sample periods in `elapsed_us` microseconds at `rate_hz`, rounded to nearest."""
    if elapsed_us <= 0:
        return 0
    return (elapsed_us * rate_hz + 500000) // 1000000


class SampleRing:
    """Fixed-capacity FIFO of 6-axis int16 samples (acc x,y,z, gyr x,y,z).

    The oldest samples are dropped when it is full (`overflow_samples` counts them).
    `skip(n)` uses up n counter values without data; the samples after a skip are not
    contiguous with those before it, so `contiguous()` tells how many of the oldest
    samples one packet may carry.
    """

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("ring capacity must be >= 1 sample, got %d" % capacity)
        self.capacity = capacity
        self._values = array("h", bytes(2 * _AXES * capacity))
        self._head = 0  # slot of the oldest sample
        self._size = 0
        self._oldest_counter = 0  # counter of the oldest sample (of the next one when empty)
        # Counter jumps inside the ring: [samples after the oldest, counter values skipped].
        self._breaks = []
        self._pending_skip = 0  # a skip after the newest sample, not yet followed by one
        self.overflow_samples = 0

    def __len__(self):
        return self._size

    def first_counter(self):
        """Device counter of the oldest sample (modulo 2**32)."""
        return self._oldest_counter % _COUNTER_MODULUS

    def next_counter(self):
        """Device counter the next pushed sample will get (modulo 2**32)."""
        counter = self._oldest_counter + self._size + self._pending_skip
        for brk in self._breaks:
            counter += brk[1]
        return counter % _COUNTER_MODULUS

    def contiguous(self):
        """How many of the oldest samples have consecutive counters."""
        if self._breaks:
            return self._breaks[0][0]
        return self._size

    def push(self, values, n=None):
        """Append samples from a flat sequence of ints, six per sample.

        `n` is the number of samples to take (all of `values` by default). Returns the
        number of oldest samples dropped to make room.
        """
        if n is None:
            n = len(values) // _AXES
        dropped = 0
        if n > self.capacity:
            # More than fit at once: everything held and the oldest new samples go;
            # their counter values are used up like those of any dropped sample.
            extra = n - self.capacity
            dropped += self._size
            self.drop(self._size)
            self._oldest_counter += self._pending_skip + extra
            self._pending_skip = 0
            dropped += extra
            values = values[extra * _AXES:]
            n = self.capacity
        if self._size + n > self.capacity:
            excess = self._size + n - self.capacity
            self.drop(excess)
            dropped += excess
        if self._pending_skip:
            if self._size:
                self._breaks.append([self._size, self._pending_skip])
            else:
                self._oldest_counter += self._pending_skip
            self._pending_skip = 0
        buf = self._values
        slot = (self._head + self._size) % self.capacity
        for i in range(n):
            base = slot * _AXES
            src = i * _AXES
            for axis in range(_AXES):
                buf[base + axis] = values[src + axis]
            slot += 1
            if slot == self.capacity:
                slot = 0
        self._size += n
        self.overflow_samples += dropped
        return dropped

    def skip(self, n):
        """Use up `n` counter values for samples that were taken but are not available."""
        if n > 0:
            self._pending_skip += n

    def peek(self, n):
        """The `n` oldest samples as a flat list of 6*n ints (oldest first); nothing is removed."""
        if n > self._size:
            raise ValueError("peek %d samples, ring holds %d" % (n, self._size))
        out = []
        buf = self._values
        slot = self._head
        for _ in range(n):
            base = slot * _AXES
            for axis in range(_AXES):
                out.append(buf[base + axis])
            slot += 1
            if slot == self.capacity:
                slot = 0
        return out

    def drop(self, n):
        """Remove the `n` oldest samples (sent, or discarded); their counter values stay used."""
        if n > self._size:
            raise ValueError("drop %d samples, ring holds %d" % (n, self._size))
        if n <= 0:
            return
        self._head = (self._head + n) % self.capacity
        self._size -= n
        self._oldest_counter += n
        breaks = self._breaks
        while breaks and breaks[0][0] <= n:
            self._oldest_counter += breaks[0][1]
            breaks.pop(0)
        for brk in breaks:
            brk[0] -= n
        if self._size == 0:
            self._head = 0

    def clear(self):
        """Discard every sample held (their counter values stay used)."""
        self.drop(self._size)
