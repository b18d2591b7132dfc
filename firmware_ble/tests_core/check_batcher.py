# Checks of batcher.PacketBatcher with sample_ring.SampleRing and the protocol core:
# packets sized to the MTU, the latency bound, gaps, sequence numbers, and a simulated
# stream with bursts, stalls and overflow decoded back with protocol_core.unpack_data.
# Runs unchanged in MicroPython and CPython; run(modules) returns (checks, failures).

from expect import Expect


def _sample(k):
    return [k % 30000, -(k % 30000), 4096, k % 251, -(k % 13), 7]


def _samples(first, n):
    out = []
    for k in range(first, first + n):
        out.extend(_sample(k))
    return out


def _sizes(mods, ex):
    b = mods["batcher"]
    core = mods["protocol_core"]
    batcher = b.PacketBatcher(100, 20)
    ex.eq("default MTU: 1 sample per packet", batcher.max_samples, 1)
    batcher.set_payload(244)
    ex.eq("payload 244: 19 samples", batcher.max_samples, 19)
    batcher.set_payload(512)
    ex.eq("payload 512 is capped at 244", batcher.max_samples, 19)
    ex.raises("payload 19 cannot carry a sample", batcher.set_payload, (19,))
    # The latency bound: a packet never waits longer than the default bound for its last sample.
    for rate in core.RATES_HZ:
        for payload in (20, 32, 104, 182, 244):
            batcher = b.PacketBatcher(rate, payload)
            target = batcher.target_samples
            ex.true("rate %d payload %d: 1 <= target %d <= max %d" % (rate, payload, target, batcher.max_samples),
                    1 <= target <= batcher.max_samples)
            ex.true("rate %d payload %d: target %d waits <= the latency bound" % (rate, payload, target),
                    target * 1000 <= max(rate * b.DEFAULT_MAX_LATENCY_MS, 1000))
    ex.eq("25 Hz, payload 244: 2 samples (80 ms)", b.PacketBatcher(25, 244).target_samples, 2)
    ex.eq("100 Hz, payload 244: 8 samples (80 ms)", b.PacketBatcher(100, 244).target_samples, 8)
    ex.eq("100 Hz, payload 244, 200 ms bound: full packets of 19", b.PacketBatcher(100, 244, 200).target_samples, 19)
    batcher = b.PacketBatcher(100, 244, 200)
    batcher.set_rate(50)
    ex.eq("set_rate(50): 10 samples", batcher.target_samples, 10)


def _readiness(mods, ex):
    b = mods["batcher"]
    r = mods["sample_ring"]
    ring = r.SampleRing(64)
    batcher = b.PacketBatcher(100, 244, 200)
    ex.eq("empty ring: nothing due", batcher.next_packet(ring), None)
    ring.push(_samples(0, 18))
    ex.eq("18 of 19: wait", batcher.ready(ring), 0)
    ring.push(_samples(18, 1))
    ex.eq("19 of 19: send", batcher.ready(ring), 19)
    ring.push(_samples(19, 21))
    ex.eq("40 held: a full packet", batcher.ready(ring), 19)
    # A gap: the samples before it go at once, in their own packet.
    ring = r.SampleRing(64)
    ring.push(_samples(0, 3))
    ring.skip(1)
    ring.push(_samples(4, 2))
    ex.eq("gap: the 3 before it go now", batcher.ready(ring), 3)


def _packets(mods, ex):
    b = mods["batcher"]
    r = mods["sample_ring"]
    core = mods["protocol_core"]
    ring = r.SampleRing(64)
    batcher = b.PacketBatcher(25, 104, 200)  # 8 samples fit, 5 are due (0.2 s at 25 Hz)
    ring.skip(70000)
    ring.push(_samples(70000, 4))
    ex.eq("4 of 5 at 25 Hz: wait", batcher.next_packet(ring), None)
    ring.push(_samples(70004, 3))
    due = batcher.next_packet(ring)
    ex.true("a packet is due", due is not None)
    if due is None:
        return
    packet, count = due
    # All 7 held go (they fit): the packet's last sample is the newest one taken, the
    # one its arrival time anchors (docs/protocol.md 3.4).
    ex.eq("count", count, 7)
    ex.eq("length", len(packet), 8 + 12 * 7)
    # Header by hand: version 1, count 7, sequence 0, counter 70000 = 0x00011170 LE.
    ex.eq("header bytes", packet[:8], bytes((1, 7, 0, 0, 0x70, 0x11, 0x01, 0x00)))
    seq, first, values = core.unpack_data(packet)
    ex.eq("decoded counter", first, 70000)
    ex.eq("decoded samples", list(values), _samples(70000, 7))
    ex.eq("build leaves the ring", len(ring), 7)
    # Not committed (the stack refused it): same sequence, same samples next time.
    again = batcher.next_packet(ring)
    ex.eq("refused packet is rebuilt identically", again, (packet, count))
    ring.push(_samples(70007, 3))
    packet, count = batcher.next_packet(ring)
    ex.eq("after more samples: a full packet of the oldest", (count, core.unpack_data(packet)[1]), (8, 70000))
    batcher.commit(ring, count)
    ex.eq("commit: ring", len(ring), 2)
    ex.eq("commit: sequence", batcher.sequence, 1)
    ex.eq("commit: next counter", ring.first_counter(), 70008)
    batcher.sequence = 65535
    ring.push(_samples(70010, 3))
    packet, count = batcher.next_packet(ring)
    ex.eq("sequence 65535 on the air", core.unpack_data(packet)[0], 65535)
    batcher.commit(ring, count)
    ex.eq("sequence wraps to 0", batcher.sequence, 0)


def _stream(mods, ex):
    """A stream through bursts, a stalled link, overflow and FIFO losses, decoded back.

    Every sample the host decodes must be the one taken at its counter, sequences must
    step by one, and the counter gaps must add up to exactly the samples lost.
    """
    b = mods["batcher"]
    r = mods["sample_ring"]
    core = mods["protocol_core"]
    ring = r.SampleRing(120)
    batcher = b.PacketBatcher(200, 104)  # 8 samples per packet
    seed = 12345
    taken = 0  # samples taken by the IMU so far (= next counter)
    lost_in_fifo = 0
    sent = []
    for step in range(400):
        seed = (seed * 1103515245 + 12345) % 2147483648
        burst = seed % 9  # 0..8 samples per FIFO read
        if step % 97 == 50:  # a hardware FIFO overrun: samples taken, never read
            ring.skip(5)
            taken += 5
            lost_in_fifo += 5
        if burst:
            ring.push(_samples(taken, burst))
            taken += burst
        stalled = 150 <= step < 230  # the link takes nothing for a while: the ring overflows
        while not stalled:
            due = batcher.next_packet(ring)
            if due is None:
                break
            packet, count = due
            sent.append(packet)
            batcher.commit(ring, count)
    while len(ring):  # end of stream: flush what is held, partial packets included
        count = min(ring.contiguous(), batcher.max_samples)
        sent.append(batcher.build(ring, count))
        batcher.commit(ring, count)
    ex.true("the stall overflowed the ring", ring.overflow_samples > 0)
    expected_seq = 0
    expected_counter = 0
    delivered = 0
    gaps = 0
    for packet in sent:
        seq, first, values = core.unpack_data(packet)
        ex.eq("sequence steps by one", seq, expected_seq)
        ex.true("counter never goes back", first >= expected_counter)
        gaps += first - expected_counter
        n = len(values) // 6
        ex.true("packet of %d samples within 1..8" % n, 1 <= n <= 8)
        if list(values) != _samples(first, n):
            ex.failures.append("packet %d: samples are not those taken at counters %d.." % (seq, first))
        ex.checks += 1
        delivered += n
        expected_seq = (seq + 1) % 65536
        expected_counter = first + n
    gaps += ring.next_counter() - expected_counter  # a loss after the last packet
    ex.eq("every sample taken is delivered or in a counted gap", delivered + gaps, taken)
    ex.eq("gaps are exactly overflow + FIFO losses", gaps, ring.overflow_samples + lost_in_fifo)


def run(modules):
    ex = Expect()
    for part in (_sizes, _readiness, _packets, _stream):
        try:
            part(modules, ex)
        except Exception as exc:
            ex.failures.append("%s raised %s %r" % (part.__name__, type(exc).__name__, str(exc)))
    return ex.result()
