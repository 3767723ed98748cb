"""Images for the photo tests: a JPEG with a place and a camera in its EXIF, a PNG, and a PNG that only claims a size."""
from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import Image

MAKE, MODEL, GPS_IFD, ORIENTATION = 0x010F, 0x0110, 0x8825, 0x0112


def jpeg(size=(1200, 800), *, orientation: int | None = None, metadata: bool = True) -> bytes:
    """A JPEG whose left half is red and right half blue, with a place, a camera and a comment in it."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if metadata:
        exif[MAKE] = "Apple"
        exif[MODEL] = "iPhone 15 Pro"
        exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 19.5), 3: "E", 4: (121.0, 29.0, 35.2)}
    if orientation:
        exif[ORIENTATION] = orientation
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home" if metadata else b"")
    return buffer.getvalue()


def png(size=(400, 300), mode="RGBA") -> bytes:
    image = Image.new(mode, size, (0, 128, 0, 0) if mode == "RGBA" else "green")
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width x height but holds one scanline: nothing to decode, everything to allocate."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")
