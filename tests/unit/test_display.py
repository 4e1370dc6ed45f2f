"""Numbers shown against a bound: enough digits to tell them from it (issue 17 item 8)."""

from __future__ import annotations

import math

import pytest

from mlreport.text.display import MAX_SIGNIFICANT, against


@pytest.mark.parametrize(
    ("value", "bound", "options", "shown"),
    [
        (0.104, 0.1, {}, "0.104"),  # a failing maximum, not "0.10"
        (0.0996, 0.1, {}, "0.0996"),  # a failing minimum, not "0.10"
        (0.1, 0.1, {}, "0.10"),  # on the bound: the usual decimals
        (0.809324, 0.809324, {"decimals": 4}, "0.8093"),  # equal scores: the usual decimals
        (0.4, 0.1, {}, "0.40"),  # already apart
        (0.10000000000000009, 0.1, {}, "0.10"),  # a rounding error is on the bound
        (0.79996, 0.8, {"decimals": 4}, "0.79996"),
        (-0.05001, -0.05, {"decimals": 4, "signed": True}, "-0.05001"),
        (0.00001, 0.0, {"decimals": 4, "signed": True}, "+0.00001"),
        (0.0, 0.0, {"decimals": 4, "signed": True}, "+0.0000"),
        (0.3, math.nan, {}, "0.30"),  # no bound
        (math.nan, 0.1, {}, "—"),
    ],
)
def test_a_value_reads_on_its_side_of_the_bound(
    value: float, bound: float, options: dict[str, object], shown: str
) -> None:
    """Issue 17 item 8: `check` printed "0.10 (maximum 0.1)" for a failing 0.104."""
    assert against(value, bound, **options) == shown  # type: ignore[arg-type]


def test_digits_are_capped() -> None:
    """Issue 17 item 8: a value a hair from its bound gets at most MAX_SIGNIFICANT digits."""
    shown = against(0.1000001, 0.1)
    assert shown == "0.100000" and len(shown.replace("0.", "", 1)) == MAX_SIGNIFICANT
