"""Display strings for numbers and values in tables and summaries (pure): shared by the
site's tables and `diff`'s Markdown."""

from __future__ import annotations

import math

MISSING = "—"


def score(value: float, digits: int = 4) -> str:
    """A metric value with fixed decimals, or a dash when missing or not finite."""
    if value is None or not math.isfinite(value):
        return _non_finite(value)
    return f"{value:.{digits}f}"


#: The most significant digits ``against`` adds to tell a value from its bound.
MAX_SIGNIFICANT = 6


def against(
    value: float,
    bound: float,
    *,
    decimals: int = 2,
    signed: bool = False,
    tolerance: float = 1e-9,
) -> str:
    """``value`` with ``decimals`` decimals, or with more (up to ``MAX_SIGNIFICANT``
    significant digits) until it reads on the same side of ``bound`` as it is: a failing
    0.104 against a maximum of 0.1 reads 0.104, not 0.10. A value within ``tolerance`` of
    the bound is on it (as gates judge rounding errors). ``signed``: with a + or - sign."""
    if value is None or not math.isfinite(value):
        return _non_finite(value)
    sign = "+" if signed else ""
    text = f"{value:{sign}.{decimals}f}"
    if bound is None or not math.isfinite(bound):
        return text
    side = _side(value, bound, tolerance)
    if side == 0:  # on the bound: no number of digits reads it any closer
        return text
    magnitude = math.floor(math.log10(abs(value))) + 1 if value else 1
    while _side(float(text), bound, 0.0) != side and decimals + magnitude < MAX_SIGNIFICANT:
        decimals += 1
        text = f"{value:{sign}.{decimals}f}"
    return text


def _side(value: float, bound: float, tolerance: float) -> int:
    """1 above the bound, -1 below it, 0 on it (within ``tolerance``)."""
    if abs(value - bound) <= tolerance:
        return 0
    return 1 if value > bound else -1


def seconds(value: float) -> str:
    if value is None or not math.isfinite(value):
        return _non_finite(value)
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def percent(share: float) -> str:
    """A share of 1 as a percentage with one decimal, or a dash when undefined."""
    if share is None or not math.isfinite(share):
        return _non_finite(share)
    return f"{share:.1%}"


def byte_size(value: float) -> str:
    """Bytes in KB, MB or GB (powers of 1024), or a dash when missing."""
    if value is None or not math.isfinite(value):
        return _non_finite(value)
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if abs(value) >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def sort_value(value: float) -> str:
    """A machine-readable value for client-side sorting ('' when missing)."""
    return "" if value is None or not math.isfinite(value) else repr(float(value))


def param(value: str) -> str:
    """A param value for display: long floats shortened to 4 significant digits."""
    try:
        number = float(value)
    except ValueError:
        return value
    if len(value) <= 8 or not math.isfinite(number) or number.is_integer():
        return value
    return f"{number:.4g}"


def params(pairs: tuple[tuple[str, str], ...]) -> str:
    """``key=value, ...`` with values shortened for display."""
    return ", ".join(f"{key}={param(value)}" for key, value in pairs)


def truncate(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _non_finite(value: float | None) -> str:
    if value is None or math.isnan(value):
        return MISSING
    return "+inf" if value > 0 else "-inf"
