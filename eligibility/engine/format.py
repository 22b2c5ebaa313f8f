"""How numbers read in Japanese: one place for money, rates and dates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import floor


def yen(amount: int | Fraction) -> str:
    """1500000 -> '1,500,000円'. A fraction is shown rounded down to the yen."""
    return f"{floor(amount):,}円"


def man_yen(amount: int) -> str:
    """1500000 -> '150万円' where exact, else the full amount."""
    if amount % 10_000 == 0 and amount >= 10_000:
        return f"{amount // 10_000:,}万円"
    return yen(amount)


def rate(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{value.numerator}/{value.denominator}"


def jdate(value: date | None) -> str:
    """2026-06-15 -> '2026年6月15日'."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
