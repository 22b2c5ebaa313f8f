"""The eligibility engine: plain Python, rules and facts in, results out (no Django inside)."""

import hashlib
from functools import cache
from pathlib import Path

from .document import RulesError, parse_rules
from .evaluate import NO_OPEN_ROUND, assess_applicant, evaluate, next_open_round

__all__ = [
    "NO_OPEN_ROUND",
    "RulesError",
    "assess_applicant",
    "engine_version",
    "evaluate",
    "next_open_round",
    "parse_rules",
]


@cache
def engine_version() -> str:
    """A digest of the engine's own code: what a stored summary of an evaluation (the
    ScreeningOutcome rows) depends on besides the answers and the rule version."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
