import json

import pytest
from django.core.cache import cache

from eligibility.engine import parse_rules
from eligibility.selectors import _frozen_rule_set
from eligibility.services import RULES_DIR, rule_version_load_file


def rules_document(label: str = "2026.1") -> dict:
    return json.loads((RULES_DIR / f"{label}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rules():
    """The 2026 rules as the engine sees them, straight from the data file (no database)."""
    return parse_rules(rules_document(), status="published")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the shipped 2026.1 version, published."""
    with django_db_blocker.unblock():
        rule_version_load_file(label="2026.1")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: ids are reused after a rolled-back test."""
    _frozen_rule_set.cache_clear()
    cache.clear()
    yield
    _frozen_rule_set.cache_clear()
    cache.clear()
