"""How the returns report writes its months, rates and days, in the staff member's language."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats


def month_label(month: date, *, short: bool = False) -> str:
    """December 2026, december 2026, Dezember 2026; short: Dec 26."""
    if short:
        return f"{formats.date_format(month, 'M')} {month:%y}"
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def percent(rate: float | None) -> str:
    if rate is None:
        return "–"
    return f"{formats.number_format(_one_decimal(rate * 100), 1)} %"


def days(value: float | None) -> str:
    return "–" if value is None else formats.number_format(_one_decimal(value), 1)


def _one_decimal(value: float) -> Decimal:
    # number_format cuts a float's digits off; 28.57 is 28.6, not 28.5.
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
