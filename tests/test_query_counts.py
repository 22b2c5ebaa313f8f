"""The pages a clinic user and a staff member open most make as many queries for one row as for
five: nothing is read row by row. (The staff dashboard's own test, with 50 and 300 members, is
in tests/announcements/test_dashboard.py; the exact queries of a wizard walk in
tests/eligibility/test_wizard.py.)"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eligibility.models import ScreeningChange
from eligibility.selectors import rule_version_published
from eligibility.services import (
    rule_version_clone,
    rule_version_publish,
    screening_complete,
    screening_create,
    screening_recheck,
)
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["normal", "invoice"],
    "normal": {"tools": ["web_reservation", "emr_integration"], "purchase_yen": 1_200_000},
    "invoice": {"tools": ["accounting", "cashless"], "purchase_yen": 1_000_000},
    "minimum_wage_near": False,
    "tools_done": True,
}


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def clinic_world(client):
    """A clinic user whose screenings were made under 2026.1, now retired for 2026.2: each row
    added is a re-checked screening (and its copy), one with a change notice, and a notice."""
    old = rule_version_published()
    new = rule_version_publish(version=rule_version_clone(version=old, label="2026.2"))
    clinic = factories.clinic(employees=40)
    user = factories.clinic_user(clinic)
    client.force_login(user)

    def completed():
        screening = screening_create(clinic=clinic, name="見積り", by=user)
        screening.answers, screening.rule_version = ANSWERS, old
        screening.save()
        screening_complete(screening=screening, as_of=date(2026, 6, 1))
        return screening

    def add_rows(count: int) -> None:
        for _ in range(count):
            screening_recheck(screening=completed(), by=user)
            ScreeningChange.objects.create(
                screening=completed(),
                version=new,
                old_total_subsidy_yen=1,
                new_total_subsidy_yen=2,
                subsidy_changed=True,
                lines=["補助額が変わります"],
            )
            nf.publication(clinic.association.prefecture)

    add_rows(1)
    return clinic, add_rows


@pytest.mark.parametrize("page", ["list", "wizard step", "result"])
def test_a_clinic_users_page_reads_as_much_for_one_row_as_for_five(client, clinic_world, page):
    clinic, add_rows = clinic_world
    first = clinic.screenings.order_by("id").first()
    url = {
        "list": "/screenings/",
        "wizard step": f"/screenings/{first.pk}/tools/",
        "result": f"/screenings/{first.pk}/result/",
    }[page]
    client.get(url)  # the rules and the menu's unread count, read once
    one = queries(client, url)
    add_rows(4)
    client.get(url)
    assert len(queries(client, url)) == len(one), one


def test_the_member_list_reads_as_much_for_one_member_as_for_five(client):
    staff = factories.staff("東京都")
    client.force_login(staff)
    factories.clinic_user(factories.clinic(prefecture="東京都"))
    one = queries(client, "/staff/members/")
    for _ in range(4):
        factories.clinic_user(factories.clinic(prefecture="東京都"))
    assert len(queries(client, "/staff/members/")) == len(one), one
