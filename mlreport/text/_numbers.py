"""Numbers as sentences state them: values with intervals, durations, memory sizes."""

from __future__ import annotations

import math

import numpy as np

DASH = "\u2013"  # en dash between the ends of a range


def format_number(value: float) -> str:
    """Two decimals, or three significant digits from 1,000 on."""
    if not math.isfinite(value):
        return "undefined"
    return f"{value:.2f}" if abs(value) < 1000 else f"{value:.3g}"


def estimate(value: float, interval: tuple[float, float], percent: str) -> str:
    """``0.40 (95% interval 0.31\u20130.49)``, or the value alone without a finite interval."""
    low, high = interval
    if not (math.isfinite(low) and math.isfinite(high)):
        return format_number(value)
    bounds = f"{format_number(low)}{DASH}{format_number(high)}"
    return f"{format_number(value)} ({percent} interval {bounds})"


def rounded(value: float) -> str:
    """Two significant digits below 100, whole numbers with thousands separators above."""
    if value >= 99.5:
        return f"{value:,.0f}"
    if value >= 9.95:
        return f"{value:.0f}"
    return np.format_float_positional(value, precision=2, unique=False, fractional=False, trim="-")


def duration(seconds: float) -> str:
    """Seconds in ms, s, min or h, whichever keeps the number readable."""
    if seconds < 1:
        return f"{rounded(seconds * 1000)} ms"
    if seconds < 60:
        return f"{rounded(seconds)} s"
    if seconds < 3600:
        return f"{rounded(seconds / 60)} min"
    return f"{rounded(seconds / 3600)} h"


def memory_size(n_bytes: float) -> str:
    """Bytes in binary multiples labelled KB, MB, GB or TB, as RAM is usually quoted."""
    value, unit = float(n_bytes), "bytes"
    for next_unit in ("KB", "MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, next_unit
    return f"{rounded(value)} {unit}"
