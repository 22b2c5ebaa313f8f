"""Text a rule administrator types is shown as text, never as markup: a <meta refresh> in the
rules must not send every clinic to another site."""

import pytest

from eligibility.models import Screening
from eligibility.selectors import rule_version_document, rule_version_published
from eligibility.services import rule_admin_edit, rule_version_clone, rule_version_publish
from tests import factories

pytestmark = pytest.mark.django_db

MARKUP = '<meta http-equiv="refresh" content="0;url=https://evil.example"><b>太字</b>'


def publish_rules_with_markup():
    """2026.2: the markup at the end of every text a clinic reads in the wizard and the result
    (the wage questions' help texts among them)."""
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    document = rule_version_document(version=draft)
    for form in document["legal_forms"]:
        form["applicant_label"] += MARKUP
    for tool in document["tools"]:
        tool["name"] += MARKUP
    for frame in document["frames"]:
        for key in ("goal", "summary", "eligible_costs"):
            frame[key] += MARKUP
        for param in frame["params"]:
            if param["kind"] == "text":
                param["value"] += MARKUP
    for item in document["checklist"]:
        item["text"] += MARKUP
    rule_admin_edit(version=draft, document=document, by=None, what="テスト")
    return rule_version_publish(version=draft)


@pytest.fixture
def pages(client):
    """Every step of a screening under those rules, and its result, as a clinic sees them."""
    publish_rules_with_markup()
    client.force_login(factories.clinic_user(factories.clinic(employees=40)))
    client.post("/screenings/", {"name": "見積り"})
    base = f"/screenings/{Screening.objects.latest('id').pk}/"
    answers = {
        "applicant": {"legal_form": "medical_corporation", "employees": "40"},
        "goals": {"goals": ["normal", "invoice", "security"]},
        "tools": {
            "normal-tools": ["web_reservation", "cashless", "ordering", "accounting"],
            "normal-purchase_yen": "6,000,000",
            "invoice-tools": ["accounting"],
            "invoice-purchase_yen": "100万",
            "security-service_monthly_yen": "20000",
            "security-service_months": "24",
        },
        "wages": {"minimum_wage_near": "yes", "wage_increase_plan": "yes"},
    }
    shown = {}
    for step, data in answers.items():
        shown[step] = client.get(f"{base}{step}/").content.decode()
        assert client.post(f"{base}{step}/", data).status_code == 302, step
    shown["result"] = client.get(f"{base}result/").content.decode()
    return shown


@pytest.mark.parametrize("page", ["applicant", "goals", "tools", "wages", "result"])
def test_rule_text_is_shown_escaped_and_never_as_markup(pages, page):
    html = pages[page]
    assert (
        "&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://evil.example&quot;&gt;"
        in html
    )
    assert "&lt;b&gt;太字&lt;/b&gt;" in html
    assert "<meta http-equiv" not in html
    assert "<b>太字</b>" not in html


def test_the_wage_questions_help_texts_are_escaped(pages):
    html = pages["wages"]
    for field in ("minimum_wage_near", "wage_increase_plan"):
        start = html.index(f'id="id_{field}_helptext"')
        help_text = html[start : html.index("</p>", start)]
        assert "&lt;meta http-equiv" in help_text and "&lt;b&gt;太字&lt;/b&gt;" in help_text
