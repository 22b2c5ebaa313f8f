"""Display filters, loaded everywhere (settings TEMPLATES builtins): money, rates and dates
go through these and nowhere else."""

from django import template
from django.utils import timezone

from eligibility.engine import format as fmt
from eligibility.engine.evaluate import FUNCTION_NAMES

register = template.Library()


@register.filter
def yen(amount) -> str:
    """{{ 1500000|yen }} -> 1,500,000円"""
    if amount is None or amount == "":
        return ""
    return fmt.yen(amount)


@register.filter
def man_yen(amount) -> str:
    """{{ 1500000|man_yen }} -> 150万円"""
    if amount is None or amount == "":
        return ""
    return fmt.man_yen(int(amount))


@register.filter
def rate(value) -> str:
    """{{ Fraction(2, 3)|rate }} -> 2/3"""
    return fmt.rate(value)


@register.filter
def jdate(value) -> str:
    """{{ date|jdate }} -> 2026年6月15日"""
    if value is None or value == "":
        return ""
    if hasattr(value, "date") and callable(value.date):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return fmt.jdate(value)


@register.filter
def param_value(param) -> str:
    """A rule parameter as people read it: 1/2, 1,500,000円, 24, or its text."""
    if param.kind == "rate":
        return fmt.rate(param.value)
    if param.kind == "yen":
        return fmt.yen(param.value)
    return str(param.value)


@register.filter
def function_names(functions) -> str:
    """{"accounting", "payment"} -> 会計・決済 (in the seed's order)."""
    return "・".join(name for code, name in FUNCTION_NAMES.items() if code in functions)
