"""A new kind of applicant is a change of the rule data only: a legal form added to a draft's
document is, once published, offered by the wizard and assessed with its own size category."""

import pytest

from eligibility.models import Screening
from eligibility.selectors import rule_version_published
from eligibility.services import rule_version_clone, rule_version_publish
from tests import factories

pytestmark = pytest.mark.django_db

ASSOCIATION = {
    "code": "general_incorporated_association",
    "name": "一般社団法人",
    "size_category": 3,
    "applicant_label": "③サービス業：常時使用する従業員の数が100人以下",
    "small_business_max_employees": 5,
    "small_business_source": "テストの想定",
    "small_business_needs_confirmation": True,
}


@pytest.fixture
def clinic_client(client):
    client.force_login(factories.clinic_user(factories.clinic(employees=150)))
    return client


def start(client) -> Screening:
    client.post("/screenings/", {"name": "見積り"})
    return Screening.objects.latest("id")


def publish_with_association():
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    draft.document["legal_forms"].append(ASSOCIATION)
    draft.save()
    return rule_version_publish(version=draft)


def test_the_wizard_offers_the_legal_forms_of_the_screenings_version(clinic_client):
    before = start(clinic_client)
    html = clinic_client.get(f"/screenings/{before.pk}/applicant/").content.decode()
    assert "医療法人" in html and "一般社団法人" not in html

    publish_with_association()
    after = start(clinic_client)
    html = clinic_client.get(f"/screenings/{after.pk}/applicant/").content.decode()
    assert 'value="general_incorporated_association"' in html and "一般社団法人" in html
    html = clinic_client.get(f"/screenings/{before.pk}/applicant/").content.decode()
    assert "一般社団法人" not in html  # a screening keeps the version it was made under


def test_the_added_legal_form_is_assessed_with_its_size_category(clinic_client):
    publish_with_association()
    screening = start(clinic_client)
    applicant = {"legal_form": "general_incorporated_association", "employees": "150"}
    response = clinic_client.post(f"/screenings/{screening.pk}/applicant/", applicant)
    assert response.status_code == 302 and response.url.endswith("/goals/")
    clinic_client.post(f"/screenings/{screening.pk}/goals/", {"goals": ["security"]})
    response = clinic_client.post(
        f"/screenings/{screening.pk}/tools/",
        {"security-service_monthly_yen": "20,000", "security-service_months": "24"},
    )
    assert response.url == f"/screenings/{screening.pk}/result/"
    html = clinic_client.get(response.url).content.decode()
    # ③ (100 people) rather than the 医療法人's ⑨ (300 people)
    assert "一般社団法人で常時使用する従業員が100人を超える（150人）ため" in html
    screening.refresh_from_db()
    assert screening.total_subsidy_yen == 0


def test_a_legal_form_the_version_does_not_have_is_refused(clinic_client):
    screening = start(clinic_client)
    applicant = {"legal_form": "general_incorporated_association", "employees": "40"}
    response = clinic_client.post(f"/screenings/{screening.pk}/applicant/", applicant)
    assert response.status_code == 200
    screening.refresh_from_db()
    assert "legal_form" not in screening.answers or screening.answers["legal_form"] != (
        "general_incorporated_association"
    )
