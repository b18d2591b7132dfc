# Checks of sample_ring.SampleRing: order, wrap-around, overflow counting, counter
# gaps. Plain Python that runs unchanged in MicroPython and CPython; run(modules)
# returns (checks, failures).

from expect import Expect


def _sample(k):
    # Sample number k carries its own number, so any reordering or loss shows.
    return [k % 30000, -(k % 30000), k % 7, 1000 + k % 11, -5, k % 32767]


def _samples(first, n):
    out = []
    for k in range(first, first + n):
        out.extend(_sample(k))
    return out


def _basic(ring_mod, ex):
    ring = ring_mod.SampleRing(8)
    ex.eq("empty: len", len(ring), 0)
    ex.eq("empty: first_counter", ring.first_counter(), 0)
    ex.eq("empty: next_counter", ring.next_counter(), 0)
    ex.eq("empty: contiguous", ring.contiguous(), 0)
    ex.eq("push 3: dropped", ring.push(_samples(0, 3)), 0)
    ex.eq("push 3: peek", ring.peek(3), _samples(0, 3))
    ex.eq("push 3: next_counter", ring.next_counter(), 3)
    ring.drop(2)
    ex.eq("drop 2: first_counter", ring.first_counter(), 2)
    ex.eq("drop 2: peek", ring.peek(1), _samples(2, 1))
    ex.raises("peek beyond", ring.peek, (2,))
    ex.raises("drop beyond", ring.drop, (2,))
    ex.raises("capacity 0", ring_mod.SampleRing, (0,))
    # Storage wraps around the end of the buffer without reordering.
    ring = ring_mod.SampleRing(4)
    ring.push(_samples(0, 3))
    ring.drop(2)
    ring.push(_samples(3, 3))
    ex.eq("wrapped storage: peek", ring.peek(4), _samples(2, 4))
    ex.eq("wrapped storage: first_counter", ring.first_counter(), 2)
    # push(values, n) takes only the first n samples.
    ring = ring_mod.SampleRing(4)
    ring.push(_samples(0, 3), 2)
    ex.eq("push n=2 of 3: len", len(ring), 2)


def _overflow(ring_mod, ex):
    ring = ring_mod.SampleRing(4)
    ring.push(_samples(0, 3))
    ex.eq("overflow: dropped by push", ring.push(_samples(3, 3)), 2)
    ex.eq("overflow: overflow_samples", ring.overflow_samples, 2)
    ex.eq("overflow: oldest dropped, counter moved on", ring.first_counter(), 2)
    ex.eq("overflow: newest kept in order", ring.peek(4), _samples(2, 4))
    ex.eq("overflow: still contiguous", ring.contiguous(), 4)
    # One push larger than the ring keeps its newest samples.
    ring = ring_mod.SampleRing(4)
    ring.push(_samples(0, 2))
    ex.eq("oversized push: dropped", ring.push(_samples(2, 7)), 5)
    ex.eq("oversized push: overflow_samples", ring.overflow_samples, 5)
    ex.eq("oversized push: first_counter", ring.first_counter(), 5)
    ex.eq("oversized push: peek", ring.peek(4), _samples(5, 4))
    ex.eq("oversized push: next_counter", ring.next_counter(), 9)


def _stall(ring_mod, ex):
    # The sensor's ring holds at least 2 s at the highest protocol rate: a link that
    # stalls that long loses nothing; beyond, the oldest go and are counted.
    capacity = ring_mod.DEFAULT_CAPACITY
    ex.true("DEFAULT_CAPACITY %d holds 2 s at 400 Hz" % capacity, capacity >= 800)
    ring = ring_mod.SampleRing(capacity)
    pushed = 0
    while pushed < 800:  # 2 s at 400 Hz in FIFO bursts of 20, nothing sent
        ring.push(_samples(pushed, 20))
        pushed += 20
    ex.eq("2 s stall at 400 Hz: overflow", ring.overflow_samples, 0)
    ex.eq("2 s stall at 400 Hz: held", len(ring), 800)
    extra = capacity - 800 + 60
    ring.push(_samples(pushed, extra))
    ex.eq("longer stall: overflow counts the excess", ring.overflow_samples, 60)
    ex.eq("longer stall: counter of the oldest kept", ring.first_counter(), 60)
    ex.eq("longer stall: oldest kept is sample 60", ring.peek(1), _samples(60, 1))


def _skips(ring_mod, ex):
    ring = ring_mod.SampleRing(8)
    ring.push(_samples(0, 3))
    ring.skip(2)
    ex.eq("skip: next_counter before push", ring.next_counter(), 5)
    ring.push(_samples(5, 2))
    ex.eq("skip: len", len(ring), 5)
    ex.eq("skip: contiguous stops at the gap", ring.contiguous(), 3)
    ex.eq("skip: next_counter", ring.next_counter(), 7)
    ring.drop(3)
    ex.eq("after the gap: first_counter", ring.first_counter(), 5)
    ex.eq("after the gap: contiguous", ring.contiguous(), 2)
    ex.eq("after the gap: peek", ring.peek(2), _samples(5, 2))
    # A skip on an empty ring moves the counter of the next sample.
    ring = ring_mod.SampleRing(4)
    ring.skip(4)
    ring.skip(0)
    ring.push(_samples(4, 1))
    ex.eq("skip on empty ring: first_counter", ring.first_counter(), 4)
    ex.eq("skip on empty ring: contiguous", ring.contiguous(), 1)
    # Overflow dropping samples across a gap keeps the counters right.
    ring = ring_mod.SampleRing(4)
    ring.push(_samples(0, 3))
    ring.skip(5)
    ring.push(_samples(8, 3))
    ex.eq("overflow across a gap: first_counter", ring.first_counter(), 2)
    ex.eq("overflow across a gap: contiguous", ring.contiguous(), 1)
    ring.drop(1)
    ex.eq("overflow across a gap: counter after the gap", ring.first_counter(), 8)
    ex.eq("overflow across a gap: contiguous after", ring.contiguous(), 3)
    ex.eq("overflow across a gap: samples after", ring.peek(3), _samples(8, 3))
    # clear() keeps the counter values used.
    ring.clear()
    ex.eq("clear: len", len(ring), 0)
    ex.eq("clear: next sample's counter", ring.first_counter(), 11)


def _wrap(ring_mod, ex):
    ring = ring_mod.SampleRing(8)
    ring.skip(0x100000000 - 2)
    ring.push(_samples(0, 4))
    ex.eq("counter near 2**32: first_counter", ring.first_counter(), 0xFFFFFFFE)
    ex.eq("counter near 2**32: contiguous", ring.contiguous(), 4)
    ring.drop(2)
    ex.eq("counter wraps to 0", ring.first_counter(), 0)
    ex.eq("next_counter after wrap", ring.next_counter(), 2)


def _samples_in(ring_mod, ex):
    f = ring_mod.samples_in
    ex.eq("samples_in(1 s, 100 Hz)", f(1000000, 100), 100)
    ex.eq("samples_in(2.5 s, 400 Hz)", f(2500000, 400), 1000)
    ex.eq("samples_in(4.999 ms, 100 Hz) rounds down", f(4999, 100), 0)
    ex.eq("samples_in(5 ms, 100 Hz) rounds half up", f(5000, 100), 1)
    ex.eq("samples_in(negative)", f(-10, 100), 0)


def run(modules):
    ring_mod = modules["sample_ring"]
    ex = Expect()
    for part in (_basic, _overflow, _stall, _skips, _wrap, _samples_in):
        try:
            part(ring_mod, ex)
        except Exception as exc:
            ex.failures.append("%s raised %s %r" % (part.__name__, type(exc).__name__, str(exc)))
    return ex.result()
