"""`reptempo sim --ble` as a child process, for the tests and benchmarks that drive the
README's two-terminal demo exactly as a user runs it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY_PREFIX = "Connect with: reptempo live --ble-backend "
"""The line `reptempo sim --ble` prints once apps can connect; the backend spec follows."""


def reptempo_command() -> list[str]:
    """The `reptempo` console script of this interpreter's environment (or `-m reptempo`)."""
    script = Path(sys.executable).with_name("reptempo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reptempo"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sim_ble(*args: str, ready_timeout_s: float = 60.0) -> Iterator[str]:
    """Run `reptempo sim --ble tcp-server:127.0.0.1:PORT ARGS...` until the block ends; yields
    the `--ble-backend` spec that reaches it, once it is ready. RuntimeError if it never is."""
    port = free_port()
    sim = subprocess.Popen(
        [*reptempo_command(), "sim", "--ble", f"tcp-server:127.0.0.1:{port}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert sim.stdout is not None
        deadline = time.monotonic() + ready_timeout_s
        backend = None
        for line in sim.stdout:
            if line.startswith(READY_PREFIX):
                backend = line[len(READY_PREFIX) :].strip()
                break
            if time.monotonic() > deadline:
                break
        if backend is None:
            raise RuntimeError(f"reptempo sim --ble did not get ready (exit code {sim.poll()})")
        yield backend
    finally:
        sim.terminate()
        sim.wait(10)
        if sim.stdout is not None:
            sim.stdout.close()
