"""Small demo photos for the seeded cases, drawn here (no image library needed): PNG files of a few coloured
bands, the way a phone photo of a lane, a lamp post or a pond looks from far away. Deterministic."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(bands: list[tuple[int, int, int]], width: int = 320, height: int = 240) -> bytes:
    """Horizontal bands of the given colours, top to bottom, with a little shading so it is not flat."""
    rows = []
    for y in range(height):
        r, g, b = bands[min(len(bands) - 1, y * len(bands) // height)]
        shade = (y * 37) % 23 - 11
        row = bytearray([0])  # filter: none
        for x in range(width):
            d = shade + (x * 13) % 17 - 8
            row += bytes((max(0, min(255, r + d)), max(0, min(255, g + d)), max(0, min(255, b + d))))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")


SKY, GRASS, ROAD, WATER, WALL, RUBBISH = (150, 190, 230), (90, 150, 70), (120, 115, 110), (70, 110, 140), \
    (200, 190, 170), (140, 100, 60)
PHOTOS = {
    "rubbish": [SKY, WALL, RUBBISH, ROAD],
    "rubbish_cleared": [SKY, WALL, ROAD, ROAD],
    "lamp": [(40, 40, 60), (60, 60, 80), ROAD],
    "lamp_fixed": [(40, 40, 60), (250, 230, 150), ROAD],
    "pond": [SKY, GRASS, WATER, WATER],
    "id_card": [(236, 236, 240), (196, 210, 232), (236, 236, 240)],  # a pale card (网上代办's materials)
    "portrait": [(250, 250, 250), (180, 150, 130), (250, 250, 250)],  # a one-inch photo on white
}
