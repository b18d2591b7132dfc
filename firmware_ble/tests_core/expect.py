# A tiny assertion collector for the firmware's shared checkers (check_*.py), which run
# unchanged in MicroPython and CPython: no unittest or pytest there, so each check
# records a failure string instead of raising, and counts what it checked.


class Expect:
    def __init__(self):
        self.checks = 0
        self.failures = []

    def eq(self, what, got, want):
        self.checks += 1
        if got != want:
            self.failures.append("%s: got %r, want %r" % (what, got, want))

    def true(self, what, condition):
        self.checks += 1
        if not condition:
            self.failures.append("%s: not true" % what)

    def raises(self, what, func, args, exc_type=ValueError, contains=None):
        """func(*args) must raise exc_type (whose message contains `contains`)."""
        self.checks += 1
        try:
            result = func(*args)
        except exc_type as exc:
            if contains is not None and contains not in str(exc):
                self.failures.append("%s: %s %r lacks %r" % (what, type(exc).__name__, str(exc), contains))
            return
        except Exception as exc:
            self.failures.append("%s: raised %s %r, want %s" % (what, type(exc).__name__, str(exc), exc_type.__name__))
            return
        self.failures.append("%s: returned %r, want %s" % (what, result, exc_type.__name__))

    def call(self, what, func, args):
        """func(*args), recording an unexpected exception as a failure (result None)."""
        try:
            return func(*args)
        except Exception as exc:
            self.checks += 1
            self.failures.append("%s: raised %s %r" % (what, type(exc).__name__, str(exc)))
            return None

    def result(self):
        return self.checks, self.failures


def unhex(text):
    """Hex with optional spaces -> bytes (bytes.fromhex is optional in MicroPython)."""
    text = text.replace(" ", "")
    out = bytearray(len(text) // 2)
    for i in range(len(out)):
        out[i] = int(text[2 * i:2 * i + 2], 16)
    return bytes(out)
