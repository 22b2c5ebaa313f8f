"""Next year's frame is a change of the rule data only: a frame with a new code that names an
existing formula is, once published, offered by the wizard with the formula's questions and
computed, shown and counted like the others."""

import copy
from datetime import date
from fractions import Fraction

import pytest

from eligibility.engine import evaluate, parse_rules
from eligibility.engine.answers import evaluate_answers, steps
from eligibility.engine.document import RulesError
from eligibility.engine.types import ClinicFacts, CostPlan, Plan
from eligibility.models import Screening, ScreeningOutcome
from eligibility.selectors import rule_version_published
from eligibility.services import rule_version_clone, rule_version_publish
from tests import factories
from tests.conftest import rules_document


def ai_frame(document: dict) -> dict:
    """A 通常枠-like frame of its own figures: 2/3, 10万円以上, 1～2 processes up to 100万円."""
    normal = next(f for f in document["frames"] if f["code"] == "normal")
    frame = copy.deepcopy(normal) | {
        "code": "ai_adoption",
        "formula": "normal",
        "name": "AI導入枠（仮）",
        "goal": "AIで受付・問診を省力化",
    }
    figures = {
        "rate": "2/3",
        "small_band_max_processes": 2,
        "small_band_min_yen": 100_000,
        "small_band_limit_yen": 1_000_000,
        "cloud_max_months": 12,
    }
    for param in frame["params"]:
        param["value"] = figures.get(param["key"], param["value"])
    return frame


def security_frame(document: dict) -> dict:
    security = next(f for f in document["frames"] if f["code"] == "security")
    frame = copy.deepcopy(security) | {
        "code": "security_plus",
        "formula": "security",
        "name": "セキュリティ対策推進枠（拡充型・仮）",
        "goal": "医療情報システムのセキュリティ強化",
    }
    for param in frame["params"]:
        if param["key"] == "max_yen":
            param["value"] = 3_000_000
    return frame


# --- the engine --------------------------------------------------------------------------------


def test_a_frame_reusing_a_formula_is_computed_with_its_own_figures():
    document = rules_document()
    document["frames"].append(security_frame(document))
    rules = parse_rules(document)
    assert list(rules.frames)[-1] == "security_plus"
    assert rules.frames["security_plus"].formula == "security"
    plan = Plan(security=CostPlan(5_000_000), security_plus=CostPlan(5_000_000))
    evaluation = evaluate(ClinicFacts("medical_corporation", 40), plan, rules, as_of=_day())
    old, new = evaluation.frame("security"), evaluation.frame("security_plus")
    assert (old.subsidy_yen, new.subsidy_yen) == (1_500_000, 2_500_000)  # 5,000,000 × 1/2
    assert new.rate == Fraction(1, 2) and new.max_subsidy_yen == 3_000_000
    assert all(r.rule.startswith("security_plus.") for r in new.reasons if "." in r.rule)


def test_the_wizard_asks_what_the_formula_needs():
    document = rules_document()
    document["frames"].append(ai_frame(document))
    rules = parse_rules(document)
    assert "wages" in steps({"goals": ["ai_adoption"]}, rules)  # its formula reads the wages
    assert "wages" not in steps({"goals": ["security"]}, rules)
    answers = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["ai_adoption"],
        "ai_adoption": {"tools": ["web_reservation"], "cloud_monthly_yen": 50_000},
        "minimum_wage_near": False,
    }
    answers["ai_adoption"]["cloud_months"] = 24
    evaluation, costs = evaluate_answers(answers, rules, as_of=_day())
    assert costs["ai_adoption"].total_yen == 600_000  # 12 months counted, not 24
    assert evaluation.frame("ai_adoption").subsidy_yen == 400_000  # × 2/3


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda f: f.update(formula="lottery"), "計算式「lottery」はありません"),
        (lambda f: f.update(code="AI枠"), "枠のコードは半角英小文字"),
        (lambda f: f["params"].pop(), "項目「cloud_max_months」がありません"),
    ],
    ids=["unknown-formula", "code", "missing-figure"],
)
def test_a_new_frame_is_checked_like_the_others(change, problem):
    document = rules_document()
    frame = ai_frame(document)
    change(frame)
    document["frames"].append(frame)
    with pytest.raises(RulesError) as error:
        parse_rules(document)
    assert any(problem in p for p in error.value.problems), error.value.problems


def test_a_checklist_item_may_name_the_new_frame_but_not_an_unknown_one():
    document = rules_document()
    document["frames"].append(ai_frame(document))
    item = dict(document["checklist"][0]) | {"frame_code": "ai_adoption"}
    document["checklist"].append(item)
    assert parse_rules(document).checklist[-1].frame_code == "ai_adoption"
    document["checklist"].append(item | {"frame_code": "ai"})
    with pytest.raises(RulesError, match="枠のコード「ai」は使えません"):
        parse_rules(document)


def test_multi_needs_a_frame_of_the_invoice_formula():
    document = rules_document()
    document["frames"] = [f for f in document["frames"] if f["code"] != "invoice"]
    document["checklist"] = [i for i in document["checklist"] if i["frame_code"] != "invoice"]
    with pytest.raises(RulesError, match="インボイス対応類型の計算式の枠が必要です"):
        parse_rules(document)


# --- the product, end to end -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_new_frame_is_offered_computed_shown_and_counted(client):
    draft = rule_version_clone(version=rule_version_published(), label="2027.1")
    draft.document["frames"].append(ai_frame(draft.document))
    draft.save()
    rule_version_publish(version=draft)
    clinic = factories.clinic(employees=40)
    client.force_login(factories.clinic_user(clinic))
    client.post("/screenings/", {"name": "AIの見積り"})
    screening = Screening.objects.latest("id")
    url = f"/screenings/{screening.pk}"

    client.post(f"{url}/applicant/", {"legal_form": "medical_corporation", "employees": "40"})
    html = client.get(f"{url}/goals/").content.decode()
    assert "AIで受付・問診を省力化（AI導入枠（仮））" in html
    client.post(f"{url}/goals/", {"goals": ["ai_adoption"]})
    html = client.get(f"{url}/tools/").content.decode()
    assert "AI導入枠（仮）（AIで受付・問診を省力化）" in html
    assert 'name="ai_adoption-tools"' in html and "最大12か月分（1年分）が対象です。" in html
    response = client.post(
        f"{url}/tools/",
        {
            "ai_adoption-tools": ["web_reservation"],
            "ai_adoption-cloud_monthly_yen": "50,000",
            "ai_adoption-cloud_months": "24",
        },
    )
    assert response.url == f"{url}/wages/"
    response = client.post(f"{url}/wages/", {"minimum_wage_near": "no"})
    assert response.url == f"{url}/result/"

    html = client.get(response.url).content.decode()
    assert "AI導入枠（仮）" in html and "400,000円" in html
    outcome = ScreeningOutcome.objects.get(screening=screening)
    assert (outcome.frame_code, outcome.subsidy_yen, outcome.eligible) == (
        "ai_adoption",
        400_000,
        True,
    )

    staff = factories.staff(clinic.association.prefecture)
    client.force_login(staff)
    html = client.get("/staff/").content.decode()
    assert "AI導入枠（仮）" in html


def _day():
    return date(2026, 5, 1)
