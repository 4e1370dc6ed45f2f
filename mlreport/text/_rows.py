"""How many rows of a file were used, and why the others were dropped."""

from __future__ import annotations


def rows_used(read: int, dropped: int, reason: str) -> str:
    """``171 of 200 rows; 29 dropped: missing target``, or ``200 rows`` when none was."""
    if not dropped:
        return f"{read:,} rows"
    return f"{read - dropped:,} of {read:,} rows; {dropped:,} dropped: {reason}"
