# Checks of control.SensorState, the control-command state machine, including every
# control and bad_control golden vector of protocol v1. Runs unchanged in MicroPython
# and CPython; run(modules) returns (checks, failures). modules["vectors"] is the
# decoded protocol_v1_vectors.json.

from expect import Expect, unhex

FW = (1, 0, 0)
ALL_RATES = (25, 50, 100, 200, 400)
NO_400 = (25, 50, 100, 200)


def _state(ctl, rates=ALL_RATES, role="shin", rate_hz=100):
    return ctl.SensorState(role, rate_hz, 8, 2000, 4, FW, rates)


def _snapshot(state):
    return (state.started, state.role, state.rate_hz, state.info())


def _commands(mods, ex):
    ctl = mods["control"]
    core = mods["protocol_core"]
    state = _state(ctl)
    info = core.unpack_info(state.info())
    ex.eq("boot: info", (info["role"], info["rate_hz"], info["acc_range_g"], info["gyro_range_dps"],
                         info["imu_model"], info["firmware_version"]),
          ("shin", 100, 8, 2000, "LSM6DSOX", "1.0.0"))
    ex.eq("boot: stopped", state.started, False)
    start = core.pack_control(core.CMD_START)
    stop = core.pack_control(core.CMD_STOP)
    ex.eq("START", state.on_control(start), [(ctl.ACT_START,)])
    ex.eq("START while started changes nothing", state.on_control(start), [])
    ex.eq("STOP", state.on_control(stop), [(ctl.ACT_STOP,)])
    ex.eq("STOP while stopped changes nothing", state.on_control(stop), [])
    actions = state.on_control(core.pack_control(core.CMD_SET_RATE, 50))
    ex.eq("SET_RATE 50: actions", [a[0] for a in actions], [ctl.ACT_SET_RATE, ctl.ACT_UPDATE_INFO])
    ex.eq("SET_RATE 50: rate", actions[0][1] if actions else None, 50)
    if len(actions) == 2:
        ex.eq("SET_RATE 50: the info follows", core.unpack_info(actions[1][1])["rate_hz"], 50)
    ex.eq("SET_RATE to the current rate", state.on_control(core.pack_control(core.CMD_SET_RATE, 50)), [])
    actions = state.on_control(core.pack_control(core.CMD_SET_ROLE, 1))
    ex.eq("SET_ROLE pelvis: actions", [a[0] for a in actions], [ctl.ACT_SAVE_ROLE, ctl.ACT_UPDATE_INFO])
    ex.eq("SET_ROLE pelvis: saved role", actions[0][1] if actions else None, "pelvis")
    if len(actions) == 2:
        ex.eq("SET_ROLE pelvis: the info follows", core.unpack_info(actions[1][1])["role"], "pelvis")
    ex.eq("SET_ROLE to the current role", state.on_control(core.pack_control(core.CMD_SET_ROLE, 1)), [])
    ex.eq("IDENTIFY 5", state.on_control(core.pack_control(core.CMD_IDENTIFY, 5)), [(ctl.ACT_IDENTIFY, 5)])
    ex.eq("IDENTIFY 0 stops", state.on_control(core.pack_control(core.CMD_IDENTIFY, 0)), [(ctl.ACT_IDENTIFY, 0)])
    # Disconnection: a reconnect always begins stopped.
    state.on_control(start)
    ex.eq("disconnect while started", state.on_disconnect(), [(ctl.ACT_STOP,)])
    ex.eq("disconnect while stopped", state.on_disconnect(), [])
    # A rate the protocol knows but this IMU cannot make is ignored, nothing changes.
    state = _state(ctl, NO_400)
    before = _snapshot(state)
    actions = state.on_control(core.pack_control(core.CMD_SET_RATE, 400))
    ex.eq("SET_RATE 400 on a part without it: ignored", [a[0] for a in actions], [ctl.ACT_IGNORED])
    ex.eq("SET_RATE 400 on a part without it: unchanged", _snapshot(state), before)


def _boot_values(mods, ex):
    ctl = mods["control"]
    ex.eq("unknown stored role falls back to shin", _state(ctl, role="knee").role, "shin")
    ex.eq("unsupported rate falls back to 100", _state(ctl, NO_400, rate_hz=400).rate_hz, 100)
    ex.eq("without 100 Hz, the first supported", _state(ctl, (25, 50), rate_hz=400).rate_hz, 25)
    ex.raises("no protocol rate at all", _state, (ctl, (30, 60)))
    ex.raises("a range the protocol cannot carry", ctl.SensorState, ("shin", 100, 3, 2000, 1, FW, ALL_RATES))
    ex.eq("advertised name carries the role", ctl.advertised_name("shin_right", "a4cf12fe00b7"),
          "reptempo-shin_right-00b7")


def _vectors(mods, ex):
    ctl = mods["control"]
    core = mods["protocol_core"]
    vectors = mods["vectors"]
    ex.true("vectors have control cases", len(vectors["control"]) > 0)
    ex.true("vectors have bad_control cases", len(vectors["bad_control"]) > 0)
    for case in vectors["control"]:
        # Start from a different rate or role, so that the command is a change.
        rate_hz = 25 if case["opcode"] == core.CMD_SET_RATE and case["arg"] != 25 else 100
        role = core.ROLES[(case["arg"] + 1) % 4] if case["opcode"] == core.CMD_SET_ROLE else "shin"
        state = _state(ctl, role=role, rate_hz=rate_hz)
        if case["opcode"] == core.CMD_STOP:
            state.on_control(core.pack_control(core.CMD_START))
        actions = state.on_control(unhex(case["hex"]))
        kinds = [a[0] for a in actions]
        ex.true("control[%s] is acted on, not ignored (%r)" % (case["name"], kinds),
                len(kinds) > 0 and ctl.ACT_IGNORED not in kinds)
    for case in vectors["bad_control"]:
        for started in (False, True):
            state = _state(ctl)
            if started:
                state.on_control(core.pack_control(core.CMD_START))
            before = _snapshot(state)
            actions = state.on_control(unhex(case["hex"]))
            ex.eq("bad_control[%s] started=%r: ignored" % (case["name"], started),
                  [a[0] for a in actions], [ctl.ACT_IGNORED])
            if actions and len(actions[0]) > 1:
                ex.true("bad_control[%s]: the reason names %r" % (case["name"], case["error_contains"]),
                        case["error_contains"] in actions[0][1])
            ex.eq("bad_control[%s] started=%r: nothing changed" % (case["name"], started), _snapshot(state), before)


def run(modules):
    ex = Expect()
    for part in (_commands, _boot_values, _vectors):
        try:
            part(modules, ex)
        except Exception as exc:
            ex.failures.append("%s raised %s %r" % (part.__name__, type(exc).__name__, str(exc)))
    return ex.result()
