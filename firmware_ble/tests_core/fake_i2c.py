# A recording stand-in for MicroPython's machine.I2C, for the driver checks.
#
# MOCK: there is no I2C bus and no IMU here. This fake only answers reads from fixed
# register contents and FIFO byte streams that the checks set up, and logs every
# transfer; the checks compare the log with register writes taken from the datasheets.
# It proves what the drivers send, not how a real part answers.


class RecordingI2C:
    def __init__(self):
        self.registers = {}  # (address, register) -> bytes answered to every read
        self.streams = {}  # (address, register) -> bytes consumed by reads (FIFO data)
        self.log = []  # ("write", address, register, bytes) and ("read", address, register, n)

    def set_register(self, address, register, data):
        self.registers[(address, register)] = bytes(data)

    def set_stream(self, address, register, data):
        self.streams[(address, register)] = bytes(data)

    def writeto_mem(self, address, register, buf):
        self.log.append(("write", address, register, bytes(buf)))

    def readfrom_mem(self, address, register, n):
        self.log.append(("read", address, register, n))
        key = (address, register)
        stream = self.streams.get(key)
        if stream is not None:
            out = stream[:n]
            self.streams[key] = stream[n:]
        else:
            out = self.registers.get(key, b"")[:n]
        return out + bytes(n - len(out))  # an unset register reads as zeros

    def readfrom_mem_into(self, address, register, buf):
        data = self.readfrom_mem(address, register, len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]

    def writes(self):
        """[(register, value)] of the single-byte writes, in order."""
        out = []
        for entry in self.log:
            if entry[0] == "write":
                data = entry[3]
                out.append((entry[2], data[0] if len(data) == 1 else data))
        return out

    def reads(self):
        """[(register, n)] of the reads, in order."""
        return [(entry[2], entry[3]) for entry in self.log if entry[0] == "read"]

    def clear_log(self):
        self.log = []


class SleepRecorder:
    """Stands in for time.sleep_ms: records the waits a driver asks for."""

    def __init__(self):
        self.waits_ms = []

    def __call__(self, ms):
        self.waits_ms.append(ms)
