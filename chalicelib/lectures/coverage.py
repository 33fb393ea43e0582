"""Which parts of a video a viewer watched: a bitmap of SLICES equal slices (pure logic, no IO).

The player reports, every 30–60 s while playing, the time ranges it actually played since the last report (the
browser's `video.played` TimeRanges: a seek plays nothing in between). A slice counts once a reported range covers
its middle, so seeking to the end covers only the last slices. A heartbeat may add at most what could have been
played since the one before (`budget`): wall-clock seconds × MAX_RATE plus SLACK; ranges beyond that are dropped,
so a client that claims a whole lecture in one report gets at most a minute and a half of it.
"""

from __future__ import annotations

import math

SLICES = 100
COMPLETE = 90  # slices watched (≥ 90 %) that complete a video
MAX_RATE = 2.0  # the fastest playback rate the player offers
SLACK_S = 90.0  # the first report comes up to a minute after play starts; clocks and networks lag


def parse(hexbits: str | None) -> int:
    return int(hexbits or "0", 16)


def dump(bits: int) -> str:
    return format(bits, "x")


def count(bits: int) -> int:
    return bin(bits).count("1")


def slice_len(duration_s: float) -> float:
    return max(float(duration_s), 1.0) / SLICES


def covered(ranges: list[tuple[float, float]], duration_s: float) -> list[int]:
    """The slices whose middle lies in one of the ranges (seconds from the start), in order."""
    d = slice_len(duration_s)
    out = set()
    for start, end in ranges:
        start, end = max(0.0, float(start)), min(float(end), float(duration_s))
        if end < start:
            continue
        for i in range(max(0, math.ceil(start / d - 0.5)), SLICES):
            if (i + 0.5) * d > end:
                break
            out.add(i)
    return sorted(out)


def budget(elapsed_s: float | None, duration_s: float) -> int:
    """How many new slices one heartbeat may add: what MAX_RATE playback could cover since the previous heartbeat
    (None: the first one) plus SLACK_S, in slices (at least one)."""
    seconds = SLACK_S + MAX_RATE * max(0.0, elapsed_s or 0.0)
    return max(1, int(seconds // slice_len(duration_s)) + 1)


def merge(old_bits: int, ranges: list[tuple[float, float]], duration_s: float,
          elapsed_s: float | None) -> tuple[int, int]:
    """(the new bitmap, slices added): the ranges' slices not yet watched, at most `budget` of them (the earliest)."""
    new = [i for i in covered(ranges, duration_s) if not old_bits >> i & 1]
    new = new[:budget(elapsed_s, duration_s)]
    bits = old_bits
    for i in new:
        bits |= 1 << i
    return bits, len(new)


def percent(bits: int) -> int:
    return round(count(bits) * 100 / SLICES)
