# Packing samples from the ring into data packets sized to the negotiated ATT MTU
# (wire protocol v1, docs/protocol.md sections 3.3 and 3.4).
#
# Pure: runs in MicroPython (the sensor) and CPython (tests, the BLE emulator).
# A packet is built from the oldest contiguous samples and removed from the ring only
# once the BLE stack accepted it (`commit`), so a stalled link leaves the samples in
# the ring, and the sequence number counts notifications actually sent.

try:
    from firmware_ble import protocol_core as core
except ImportError:  # on the sensor the modules sit side by side
    import protocol_core as core

# How long a sample may wait for its packet to fill. The host's DSP analyses 80 ms of a
# sensor's samples at a time (dsp/pipeline.py, BATCH_S): holding them longer only delays
# its events (a full packet at 100 Hz would hold 190 ms).
DEFAULT_MAX_LATENCY_MS = 80


class PacketBatcher:
    """Decides when and how many samples go into the next notification.

    A full packet (as many samples as the payload holds) goes as soon as it is full.
    At low rates a full packet would wait too long, so a packet also goes once it holds
    `rate_hz * max_latency_ms / 1000` samples, which bounds the wait. Samples before a
    counter gap go at once: nothing can join them any more.
    """

    def __init__(self, rate_hz=100, payload_size=core.MIN_PAYLOAD, max_latency_ms=DEFAULT_MAX_LATENCY_MS):
        self.sequence = 0  # of the next notification; continues across START/STOP and reconnects
        self.max_latency_ms = max_latency_ms
        self._rate_hz = rate_hz
        self.max_samples = core.max_samples_per_packet(payload_size)
        self.target_samples = 1
        self._retarget()

    def set_payload(self, payload_size):
        """The notification payload changed (ATT MTU - 3)."""
        self.max_samples = core.max_samples_per_packet(payload_size)
        self._retarget()

    def set_rate(self, rate_hz):
        self._rate_hz = rate_hz
        self._retarget()

    def _retarget(self):
        by_latency = self._rate_hz * self.max_latency_ms // 1000
        self.target_samples = max(1, min(self.max_samples, by_latency))

    def ready(self, ring):
        """Number of samples to send now (0: wait for more)."""
        run = ring.contiguous()
        if run == 0:
            return 0
        if run < len(ring) or run >= self.target_samples:
            return min(run, self.max_samples)
        return 0

    def build(self, ring, count):
        """The packet carrying the `count` oldest samples; the ring is left as it is."""
        return core.pack_data(self.sequence, ring.first_counter(), ring.peek(count))

    def commit(self, ring, count):
        """The packet of `count` samples was accepted by the BLE stack."""
        ring.drop(count)
        self.sequence = (self.sequence + 1) % core.SEQUENCE_MODULUS

    def next_packet(self, ring):
        """(packet, count) for the next notification, or None if nothing is due."""
        count = self.ready(ring)
        if count == 0:
            return None
        return self.build(ring, count), count
