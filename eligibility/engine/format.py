"""How numbers read in Japanese: one place for money, rates and dates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import floor

from gmpy2 import mpq


def whole_yen(amount: int | mpq | Fraction) -> int:
    """An exact amount rounded down to the yen, as an int (math.floor of an mpq is an mpz)."""
    return int(floor(amount))  # noqa: RUF046


def yen(amount: int | mpq | Fraction) -> str:
    """1500000 -> '1,500,000円'. A fraction is shown rounded down to the yen."""
    return f"{whole_yen(amount):,}円"


def man_yen(amount: int) -> str:
    """1500000 -> '150万円' where exact, else the full amount."""
    if amount % 10_000 == 0 and amount >= 10_000:
        return f"{amount // 10_000:,}万円"
    return yen(amount)


def rate(value: mpq | Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{value.numerator}/{value.denominator}" if value.denominator == 1 else str(value)


def jdate(value: date | None) -> str:
    """2026-06-15 -> '2026年6月15日'."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
