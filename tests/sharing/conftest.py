import pytest

from sharing.services import share_link_create
from tests import factories

# 通常枠 and セキュリティ対策推進枠 for a 医療法人 of 40
ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "security"],
    "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "minimum_wage_near": False,
    "tools_done": True,
}


@pytest.fixture
def user():
    return factories.clinic_user(factories.clinic(name="青葉内科クリニック", employees=40))


@pytest.fixture
def screening(user):
    return factories.completed_screening(user, ANSWERS, name="A社の見積り")


@pytest.fixture
def shared(screening, user):
    """A usable link to ``screening``'s result and its token."""
    return share_link_create(screening=screening, by=user)
