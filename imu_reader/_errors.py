"""The exceptions of `imu_reader`: one root, subclasses that carry what went wrong."""

from __future__ import annotations

from pathlib import Path


class ReaderError(Exception):
    """Root of every error raised by `imu_reader`."""


class InputFileError(ReaderError):
    """Raised when an input file (recording, CSV, phone export) cannot be used.

    The message is one line: the file, the line or record when known, and what is wrong.
    """

    def __init__(self, path: str | Path, reason: str, *, where: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.where = where
        location = f"{self.path}: {where}" if where else str(self.path)
        super().__init__(f"{location}: {reason}")


class InfoDecodeError(ReaderError):
    """Raised when a sensor's info characteristic cannot be decoded."""

    def __init__(self, data: bytes, reason: str) -> None:
        self.data = bytes(data)
        self.reason = reason
        super().__init__(f"sensor info {self.data.hex()}: {reason}")
