# The sensor's role (shin, pelvis, ...) kept in a small file in flash, so SET_ROLE
# survives reboots (docs/protocol.md section 6).
#
# Runs in MicroPython and CPython; a missing, empty or corrupt file reads as the
# default role instead of stopping the sensor.

import os

try:
    from firmware_ble import protocol_core as core
except ImportError:  # on the sensor the modules sit side by side
    import protocol_core as core

ROLE_PATH = "role.txt"
DEFAULT_ROLE = "shin"


def load_role(path=ROLE_PATH, default=DEFAULT_ROLE):
    """The stored role name, or `default` if there is none or it is not a role."""
    try:
        with open(path) as f:
            role = f.read().strip()
    except OSError:
        return default
    return role if role in core.ROLES else default


def save_role(role, path=ROLE_PATH):
    """Store `role`: written to a temporary file and renamed over the old one, so a
    power cut leaves the old role or the new one, never half a file."""
    if role not in core.ROLES:
        raise ValueError("unknown role %r" % (role,))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(role)
    try:
        os.remove(path)  # MicroPython's rename does not replace an existing file on every port
    except OSError:
        pass
    os.rename(tmp, path)
