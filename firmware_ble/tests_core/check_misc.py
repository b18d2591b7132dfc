# Checks of the small pure helpers: advertising payloads (adv), battery level
# (battery), the status LED pattern (status_led) and the role file (role_store, in the
# directory modules["tmpdir"]). Runs unchanged in MicroPython and CPython;
# run(modules) returns (checks, failures).

from expect import Expect, unhex

SERVICE_UUID = "e9b00001-7e31-48a4-8f0d-e73edd0cb4f2"
# The same UUID as it goes on the air: its 16 bytes in reverse order.
SERVICE_UUID_LE = unhex("f2b40cdd3ee70d8fa448317e0100b0e9")


def _adv(adv, ex):
    data, resp = adv.payloads("reptempo-shin_right-00b7", SERVICE_UUID, 7500, 15000)
    ex.eq("advertising data", adv.parse(data), [
        (0x01, b"\x06"),  # flags: LE general discoverable, no BR/EDR
        (0x07, SERVICE_UUID_LE),  # complete list of 128-bit service UUIDs
        (0x12, b"\x06\x00\x0c\x00"),  # connection interval 6..12 x 1.25 ms = 7.5..15 ms
    ])
    ex.true("advertising data fits 31 bytes", len(data) <= 31)
    ex.eq("scan response: the name", adv.parse(resp), [(0x09, b"reptempo-shin_right-00b7")])
    ex.raises("interval not a multiple of 1.25 ms", adv.payloads, ("x", SERVICE_UUID, 7000, 15000))
    ex.raises("interval below 7.5 ms", adv.payloads, ("x", SERVICE_UUID, 6250, 15000))
    ex.raises("min above max", adv.payloads, ("x", SERVICE_UUID, 15000, 7500))
    ex.raises("name over 29 bytes", adv.payloads, ("n" * 30, SERVICE_UUID, 7500, 15000))
    ex.raises("not a 128-bit UUID", adv.uuid128_le, ("180f",))
    ex.raises("truncated AD structure", adv.parse, (b"\x05\x09ab",))


def _battery(battery, ex):
    for mv, want in ((4300, 100), (4200, 100), (4150, 95), (3800, 50), (3775, 45), (3700, 25),
                     (3400, 3), (3300, 0), (3000, 0)):
        ex.eq("percent_from_mv(%d)" % mv, battery.percent_from_mv(mv), want)
    ex.eq("cell_mv: 2.1 V at the pin, divider 2", battery.cell_mv(2100000, 2.0), 4200)
    ex.eq("cell_mv: divider 3", battery.cell_mv(1250000, 3), 3750)
    level = battery.LevelFilter(hysteresis_pct=2)
    ex.eq("first reading is published", level.update(3800), 50)
    ex.eq("a 5 mV wobble is not", level.update(3805), None)
    published = None
    for _ in range(40):  # a real drop shows through the averaging
        got = level.update(3700)
        if got is not None:
            published = got
    ex.eq("a real drop is published", published, 25)


def _led(led, ex):
    on = led.led_on
    ex.eq("advertising: flash at the start of each 2 s", (on(led.MODE_ADVERTISING, 4010), on(led.MODE_ADVERTISING, 4500)),
          (True, False))
    ex.eq("connected: flash each second", (on(led.MODE_CONNECTED, 3020), on(led.MODE_CONNECTED, 3500)), (True, False))
    ex.eq("streaming: dark", (on(led.MODE_STREAMING, 0), on(led.MODE_STREAMING, 4010)), (False, False))
    ex.eq("identify: 4 Hz while it lasts", [on(led.MODE_STREAMING, t, 5000) for t in (1000, 1125, 1250, 1375)],
          [True, False, True, False])
    ex.eq("identify over: back to the mode", on(led.MODE_STREAMING, 5000, 5000), False)


def _roles(store, tmpdir, ex):
    path = tmpdir + "/role.txt"
    ex.eq("no file: default role", store.load_role(path), "shin")
    store.save_role("pelvis", path)
    ex.eq("saved role is read back", store.load_role(path), "pelvis")
    store.save_role("shin_left", path)
    ex.eq("saved again over the old file", store.load_role(path), "shin_left")
    with open(path, "w") as f:
        f.write("\x00garbage")
    ex.eq("corrupt file: default role", store.load_role(path), "shin")
    ex.raises("unknown role is not saved", store.save_role, ("knee", path))
    ex.eq("after a refused save the file is as it was", store.load_role(path), "shin")


def run(modules):
    ex = Expect()
    parts = (
        (_adv, (modules["adv"], ex)),
        (_battery, (modules["battery"], ex)),
        (_led, (modules["status_led"], ex)),
        (_roles, (modules["role_store"], modules["tmpdir"], ex)),
    )
    for part, args in parts:
        try:
            part(*args)
        except Exception as exc:
            ex.failures.append("%s raised %s %r" % (part.__name__, type(exc).__name__, str(exc)))
    return ex.result()
