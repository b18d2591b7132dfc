# Checks a protocol core against the golden vectors of wire protocol v1.
#
# Runs unchanged in CPython (tests/test_protocol_core.py) and in MicroPython (the
# firmware tests): plain Python only, no f-strings, no typing, no dataclasses, no
# bytes.hex()/bytes.fromhex() (optional in MicroPython builds). The caller loads the
# JSON (firmware_ble/protocol_v1_vectors.json) and the core module and calls
# run(core, vectors); the result is a list of failure strings, empty when all pass.

# Substring of the ValueError message that each malformed-packet reason must produce.
REASON_MESSAGES = {
    "truncated_header": "truncated header",
    "unknown_version": "unknown protocol version",
    "empty": "sample count is 0",
    "wrong_length": "does not match",
}

_HEX_DIGITS = "0123456789abcdef"


def unhex(text):
    """Lower- or upper-case hex string -> bytes."""
    if len(text) % 2:
        raise ValueError("odd-length hex string")
    out = bytearray(len(text) // 2)
    for i in range(len(out)):
        out[i] = int(text[2 * i:2 * i + 2], 16)
    return bytes(out)


def tohex(data):
    """bytes -> lower-case hex string."""
    parts = []
    for b in data:
        parts.append(_HEX_DIGITS[b >> 4] + _HEX_DIGITS[b & 15])
    return "".join(parts)


def _flatten(rows):
    flat = []
    for row in rows:
        for value in row:
            flat.append(value)
    return tuple(flat)


def _expect_error(failures, what, func, args, contains):
    """Call func(*args); it must raise ValueError whose message contains `contains`."""
    try:
        result = func(*args)
    except ValueError as exc:
        message = str(exc)
        if contains is not None and contains not in message:
            failures.append("%s: ValueError %r lacks %r" % (what, message, contains))
        return
    except Exception as exc:  # any other exception type is a failure, not a crash
        failures.append("%s: raised %s %r instead of ValueError" % (what, type(exc).__name__, str(exc)))
        return
    failures.append("%s: accepted, returned %r" % (what, result))


def _check_data(core, case, failures):
    what = "data_packets[%s]" % case["name"]
    packet = unhex(case["hex"])
    samples = _flatten(case["samples"])
    seq = case["sequence"]
    counter = case["first_counter"]
    try:
        packed = core.pack_data(seq, counter, samples)
        if packed != packet:
            failures.append("%s: pack_data gave %s" % (what, tohex(packed)))
        # Sequence and counter are taken modulo 2**16 and 2**32 by the packer.
        wrapped = core.pack_data(seq + core.SEQUENCE_MODULUS, counter + core.COUNTER_MODULUS, samples)
        if wrapped != packet:
            failures.append("%s: pack_data does not wrap sequence/counter: %s" % (what, tohex(wrapped)))
    except Exception as exc:
        failures.append("%s: pack_data raised %s %r" % (what, type(exc).__name__, str(exc)))
    try:
        got_seq, got_counter, got_samples = core.unpack_data(packet)
        if got_seq != seq or got_counter != counter:
            failures.append(
                "%s: unpack_data header (%d, %d) != (%d, %d)" % (what, got_seq, got_counter, seq, counter)
            )
        if tuple(got_samples) != samples:
            failures.append("%s: unpack_data samples %r != %r" % (what, tuple(got_samples), samples))
        if len(packet) != core.DATA_HEADER_SIZE + core.SAMPLE_SIZE * len(case["samples"]):
            failures.append("%s: %d bytes for %d samples" % (what, len(packet), len(case["samples"])))
        if packet[0] != core.PROTOCOL_VERSION:
            failures.append("%s: first byte %d is not the version" % (what, packet[0]))
    except Exception as exc:
        failures.append("%s: unpack_data raised %s %r" % (what, type(exc).__name__, str(exc)))
    # A bytearray or memoryview must decode like bytes (BLE stacks hand over either).
    for kind, view in (("bytearray", bytearray(packet)), ("memoryview", memoryview(packet))):
        try:
            if core.unpack_data(view) != core.unpack_data(packet):
                failures.append("%s: unpack_data(%s) differs" % (what, kind))
        except Exception as exc:
            failures.append("%s: unpack_data(%s) raised %s %r" % (what, kind, type(exc).__name__, str(exc)))


def _check_malformed(core, case, failures):
    what = "malformed_packets[%s]" % case["name"]
    contains = REASON_MESSAGES.get(case["reason"])
    if contains is None:
        failures.append("%s: unknown reason %r in vectors" % (what, case["reason"]))
    _expect_error(failures, what, core.unpack_data, (unhex(case["hex"]),), contains)


def _check_info(core, case, failures):
    what = "info[%s]" % case["name"]
    data = unhex(case["hex"])
    args = case["pack_args"]
    try:
        packed = core.pack_info(
            args["role"], args["rate_hz"], args["acc_range_g"], args["gyro_range_dps"],
            args["imu_model"], tuple(args["firmware_version"]),
        ) + unhex(case["trailing_hex"])
        if packed != data:
            failures.append("%s: pack_info gave %s" % (what, tohex(packed)))
    except Exception as exc:
        failures.append("%s: pack_info raised %s %r" % (what, type(exc).__name__, str(exc)))
    try:
        fields = core.unpack_info(data)
        if fields != case["fields"]:
            failures.append("%s: unpack_info %r != %r" % (what, fields, case["fields"]))
    except Exception as exc:
        failures.append("%s: unpack_info raised %s %r" % (what, type(exc).__name__, str(exc)))


def _check_control(core, case, failures):
    what = "control[%s]" % case["name"]
    data = unhex(case["hex"])
    opcode = case["opcode"]
    arg = case["arg"]
    try:
        packed = core.pack_control(opcode, arg)
        if packed != data:
            failures.append("%s: pack_control gave %s" % (what, tohex(packed)))
    except Exception as exc:
        failures.append("%s: pack_control raised %s %r" % (what, type(exc).__name__, str(exc)))
    try:
        parsed = core.parse_control(data)
        if tuple(parsed) != (opcode, arg):
            failures.append("%s: parse_control %r != %r" % (what, parsed, (opcode, arg)))
    except Exception as exc:
        failures.append("%s: parse_control raised %s %r" % (what, type(exc).__name__, str(exc)))


def _check_sizes(core, vectors, failures):
    for case in vectors.get("max_samples_per_packet", ()):
        size = case["payload_size"]
        what = "max_samples_per_packet(%d)" % size
        try:
            got = core.max_samples_per_packet(size)
            if got != case["samples"]:
                failures.append("%s: %r != %r" % (what, got, case["samples"]))
        except Exception as exc:
            failures.append("%s: raised %s %r" % (what, type(exc).__name__, str(exc)))
    for size in vectors.get("payload_too_small", ()):
        _expect_error(failures, "max_samples_per_packet(%d)" % size, core.max_samples_per_packet, (size,), None)


def run(core, vectors):
    """Check `core` against `vectors` (the decoded JSON); returns a list of failures."""
    failures = []
    if vectors.get("version") != core.PROTOCOL_VERSION:
        failures.append(
            "vectors are for version %r, core is version %r" % (vectors.get("version"), core.PROTOCOL_VERSION)
        )
        return failures
    sections = ("data_packets", "malformed_packets", "info", "bad_info", "control", "bad_control")
    for key in sections:
        if not vectors.get(key):
            failures.append("vectors have no %r cases" % key)
    for case in vectors.get("data_packets", ()):
        _check_data(core, case, failures)
    for case in vectors.get("malformed_packets", ()):
        _check_malformed(core, case, failures)
    for case in vectors.get("info", ()):
        _check_info(core, case, failures)
    for case in vectors.get("bad_info", ()):
        what = "bad_info[%s]" % case["name"]
        _expect_error(failures, what, core.unpack_info, (unhex(case["hex"]),), case["error_contains"])
    for case in vectors.get("control", ()):
        _check_control(core, case, failures)
    for case in vectors.get("bad_control", ()):
        what = "bad_control[%s]" % case["name"]
        _expect_error(failures, what, core.parse_control, (unhex(case["hex"]),), case["error_contains"])
    _check_sizes(core, vectors, failures)
    return failures
