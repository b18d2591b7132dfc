"""bumble's UUIDs as bleak writes them: 128-bit, lower case."""

from __future__ import annotations

import uuid

from bumble.core import UUID


def bleak_uuid(value: UUID) -> str:
    """`0000180f-0000-1000-8000-00805f9b34fb` for bumble's 16-bit 0x180F, and so on."""
    # bumble keeps UUID bytes little-endian, as they travel on the air.
    return str(uuid.UUID(bytes=bytes(reversed(value.to_bytes(force_128=True)))))
