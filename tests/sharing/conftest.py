import pytest

from sharing.services import share_link_create
from tests import factories

ANSWERS = factories.NORMAL_AND_SECURITY


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
