"""From wizard answers to the engine's plan: the eligible-cost arithmetic of the seed."""

import pytest

from eligibility.engine.answers import facts_and_plan, software_cost


@pytest.mark.parametrize(
    ("months", "total", "excluded"),
    [
        pytest.param(0, 0, 0, id="クラウドなし"),
        pytest.param(24, 240_000, 0, id="24か月は全額"),
        pytest.param(25, 240_000, 10_000, id="25か月目は対象外"),
        pytest.param(36, 240_000, 120_000, id="36か月"),
    ],
)
def test_cloud_fees_count_at_most_two_years(months, total, excluded):
    breakdown = software_cost({"cloud_monthly_yen": 10_000, "cloud_months": months}, 24)
    assert (breakdown.total_yen, breakdown.excluded_yen) == (total, excluded)
    if excluded:
        assert f"残りの{months - 24}か月分（{excluded:,}円）は対象外です" in breakdown.excluded_note


def test_all_cost_categories_add_up_with_the_arithmetic_shown():
    breakdown = software_cost(
        {
            "purchase_yen": 500_000,
            "cloud_monthly_yen": 20_000,
            "cloud_months": 12,
            "option_yen": 30_000,
            "service_yen": 100_000,
        },
        24,
    )
    assert breakdown.total_yen == 870_000
    assert [step.formula for step in breakdown.steps] == [
        "500,000円",
        "20,000円 × 12か月",
        "30,000円",
        "100,000円",
        "上記の合計",
    ]


def test_answers_become_facts_and_plan(rules):
    answers = {
        "legal_form": "individual",
        "employees": 3,
        "goals": ["normal", "invoice", "security", "multi"],
        "normal": {"tools": ["web_reservation", "patient_communication", "emr_integration"]},
        "invoice": {"tools": ["accounting", "cashless", "web_reservation"], "purchase_yen": 1},
        "security": {"service_monthly_yen": 10_000, "service_months": 30},
        "minimum_wage_near": None,
    }
    facts, plan, costs = facts_and_plan(answers, rules)
    assert (facts.legal_form, facts.employees, facts.minimum_wage_near) == ("individual", 3, None)
    assert plan["normal"].processes == 2  # 共P-01 twice counts once, plus 各業種P-06
    assert plan["invoice"].functions == frozenset({"accounting", "payment"})
    assert plan["security"].cost_yen == 240_000
    assert set(plan) == {"normal", "invoice", "security"}
    assert set(costs) == {"normal", "invoice", "security", "multi"}  # multi: no group yet
