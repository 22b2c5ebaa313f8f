"""The eligibility engine: plain Python, rules and facts in, results out (no Django inside)."""

from .document import RulesError, parse_rules
from .evaluate import NO_OPEN_ROUND, assess_applicant, evaluate, next_open_round

__all__ = [
    "NO_OPEN_ROUND",
    "RulesError",
    "assess_applicant",
    "evaluate",
    "next_open_round",
    "parse_rules",
]
