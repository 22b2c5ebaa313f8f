"""The engine against the seed's figures: both sides of every boundary, one row per situation."""

from datetime import date
from fractions import Fraction

import pytest

from eligibility.engine import NO_OPEN_ROUND, evaluate
from eligibility.engine.types import (
    ClinicFacts,
    CostPlan,
    InvoicePlan,
    MultiPlan,
    NormalPlan,
    Plan,
)

OPEN = date(2026, 5, 1)  # before the first 2026 deadline

MC = "medical_corporation"
IND = "individual"
SW = "social_welfare_corporation"


def run(rules, plan, *, form=MC, employees=40, near=False, wage=False, as_of=OPEN):
    facts = ClinicFacts(form, employees, minimum_wage_near=near, wage_increase_plan=wage)
    return evaluate(facts, plan, rules, as_of=as_of)


def frame(rules, code, plan, **kwargs):
    return run(rules, plan, **kwargs).frame(code)


@pytest.mark.parametrize(
    ("form", "employees", "sme", "small"),
    [
        pytest.param(MC, 300, True, False, id="医療法人-300人は中小企業"),
        pytest.param(MC, 301, False, False, id="医療法人-301人は対象外"),
        pytest.param(SW, 300, True, False, id="社会福祉法人-300人は中小企業"),
        pytest.param(SW, 301, False, False, id="社会福祉法人-301人は対象外"),
        pytest.param(IND, 100, True, False, id="個人開業医-100人は中小企業"),
        pytest.param(IND, 101, False, False, id="個人開業医-101人は対象外"),
        pytest.param(IND, 5, True, True, id="個人開業医-5人は小規模（想定）"),
        pytest.param(IND, 6, True, False, id="個人開業医-6人は小規模でない"),
        pytest.param(MC, 5, True, True, id="医療法人-5人は小規模（想定）"),
        pytest.param(MC, 0, True, True, id="医療法人-0人"),
    ],
)
def test_applicant_size(rules, form, employees, sme, small):
    applicant = run(rules, Plan(), form=form, employees=employees).applicant
    assert (applicant.sme, applicant.small_business, applicant.eligible) == (sme, small, sme)
    assert applicant.reasons[0].rule.startswith("size_category.")
    assert applicant.reasons[0].source  # every reason cites its source


def test_small_business_is_flagged_as_an_assumption(rules):
    applicant = run(rules, Plan(), employees=3).applicant
    small = [r for r in applicant.reasons if r.rule.endswith(".small_business")]
    assert small and small[0].needs_confirmation
    assert "5人以下" in small[0].text


@pytest.mark.parametrize(
    ("processes", "cost", "near", "wage", "eligible", "subsidy"),
    [
        pytest.param(2, 99_999, False, False, False, 0, id="下限5万円未満"),
        pytest.param(2, 100_000, False, False, True, 50_000, id="下限5万円ちょうど"),
        pytest.param(2, 74_999, True, False, False, 0, id="2/3で下限未満"),
        pytest.param(2, 75_000, True, False, True, 50_000, id="2/3で下限ちょうど"),
        pytest.param(1, 2_999_997, False, False, True, 1_499_998, id="1円未満切捨て"),
        pytest.param(3, 2_999_998, False, False, True, 1_499_999, id="150万円未満の最大"),
        pytest.param(3, 3_000_000, False, False, True, 1_499_999, id="150万円に達すると上限"),
        pytest.param(3, 10_000_000, True, False, True, 1_499_999, id="2/3でも上限150万円未満"),
        pytest.param(4, 3_000_000, False, False, False, 0, id="4プロセス-賃上げ計画なし"),
        pytest.param(4, 2_999_998, False, True, False, 0, id="4プロセス-149万9999円"),
        pytest.param(4, 3_000_000, False, True, True, 1_500_000, id="4プロセス-150万円"),
        pytest.param(4, 9_000_000, False, True, True, 4_500_000, id="4プロセス-450万円"),
        pytest.param(5, 9_000_002, False, True, True, 4_500_000, id="4プロセス-上限450万円"),
        pytest.param(7, 2_250_000, True, True, True, 1_500_000, id="2/3で150万円"),
        pytest.param(0, 1_000_000, False, False, False, 0, id="プロセス0"),
        pytest.param(2, 0, False, False, False, 0, id="費用0円"),
    ],
)
def test_normal_frame(rules, processes, cost, near, wage, eligible, subsidy):
    result = frame(rules, "normal", Plan(normal=NormalPlan(processes, cost)), near=near, wage=wage)
    assert (result.eligible, result.subsidy_yen) == (eligible, subsidy)
    assert result.rate == (Fraction(2, 3) if near else Fraction(1, 2))


def test_normal_four_processes_without_wage_plan_says_why_and_offers_the_lower_band(rules):
    result = frame(rules, "normal", Plan(normal=NormalPlan(4, 2_000_000)), wage=False)
    assert not result.eligible and result.verdict == "not_eligible"
    text = " ".join(r.text for r in result.reasons)
    assert "賃金引上げ計画" in text
    assert "1～3プロセスで申請する場合は、同じ費用で補助額1,000,000円" in text
    assert any(r.rule == "normal.wage_plan_requirement" for r in result.requirements)


def test_normal_four_processes_lists_the_wage_plan_in_the_checklist(rules):
    result = frame(rules, "normal", Plan(normal=NormalPlan(4, 4_000_000)), wage=True)
    assert result.eligible
    assert any("賃金引上げ計画" in item.text for item in result.checklist)
    small = frame(rules, "normal", Plan(normal=NormalPlan(2, 400_000)))
    assert not any("賃金引上げ計画" in item.text for item in small.checklist)


def test_normal_suggests_the_larger_band_when_capped(rules):
    result = frame(rules, "normal", Plan(normal=NormalPlan(3, 5_000_000)))
    assert any("上限450万円" in r.text for r in result.improvements)


@pytest.mark.parametrize(
    ("functions", "software", "pc", "register", "employees", "subsidy"),
    [
        pytest.param({"accounting"}, 666_666, 0, 0, 40, 499_999, id="1機能-段差の手前"),
        pytest.param({"accounting"}, 666_667, 0, 0, 40, 500_000, id="1機能-上限50万円"),
        pytest.param({"accounting"}, 5_000_000, 0, 0, 40, 500_000, id="1機能-高額でも50万円"),
        pytest.param({"accounting", "payment"}, 666_666, 0, 0, 40, 499_999, id="2機能-段差の手前"),
        pytest.param({"accounting", "payment"}, 666_667, 0, 0, 40, 500_000, id="2機能-段差の直後"),
        pytest.param({"accounting", "payment"}, 1_000_000, 0, 0, 40, 722_222, id="2機能-100万円"),
        pytest.param({"accounting", "payment"}, 1_000_000, 0, 0, 3, 750_000, id="小規模-4/5"),
        pytest.param({"accounting", "ordering"}, 5_166_666, 0, 0, 40, 3_499_999, id="上限の手前"),
        pytest.param({"accounting", "ordering"}, 5_166_667, 0, 0, 40, 3_500_000, id="上限350万円"),
        pytest.param({"payment"}, 100_000, 200_000, 0, 40, 175_000, id="PC10万円"),
        pytest.param({"payment"}, 100_000, 200_002, 0, 40, 175_000, id="PCは上限10万円"),
        pytest.param({"payment"}, 100_000, 0, 400_000, 40, 275_000, id="レジ20万円"),
        pytest.param({"payment"}, 100_000, 0, 400_002, 40, 275_000, id="レジは上限20万円"),
        pytest.param({"payment"}, 100_000, 99_999, 0, 40, 124_999, id="端数は最後に切捨て"),
        pytest.param({"payment"}, 1_000, 0, 0, 40, 750, id="下限なし"),
        pytest.param(set(), 500_000, 0, 0, 40, 0, id="機能なし"),
        pytest.param({"payment"}, 0, 200_000, 0, 40, 0, id="ハードウェアだけは対象外"),
    ],
)
def test_invoice_frame(rules, functions, software, pc, register, employees, subsidy):
    plan = Plan(invoice=InvoicePlan(frozenset(functions), software, pc, register))
    result = frame(rules, "invoice", plan, employees=employees)
    assert result.subsidy_yen == subsidy
    assert result.eligible == (subsidy > 0)


def test_invoice_shows_the_two_tier_arithmetic(rules):
    plan = Plan(invoice=InvoicePlan(frozenset({"accounting", "ordering"}), 1_000_000))
    result = frame(rules, "invoice", plan)
    formulas = [step.formula for step in result.steps]
    assert "666,667円 × 3/4" in formulas
    assert "(1,000,000円 − 666,667円) × 2/3" in formulas
    assert result.rate == Fraction(3, 4)
    assert result.verdict == "eligible"


def test_invoice_small_business_rate_is_marked_for_confirmation(rules):
    plan = Plan(invoice=InvoicePlan(frozenset({"accounting"}), 100_000))
    result = frame(rules, "invoice", plan, employees=2)
    assert result.rate == Fraction(4, 5)
    assert result.verdict == "confirm"


@pytest.mark.parametrize(
    ("cost", "employees", "eligible", "subsidy"),
    [
        pytest.param(99_999, 40, False, 0, id="下限5万円未満"),
        pytest.param(100_000, 40, True, 50_000, id="下限5万円"),
        pytest.param(3_000_000, 40, True, 1_500_000, id="150万円以下"),
        pytest.param(3_000_002, 40, True, 1_500_000, id="上限150万円"),
        pytest.param(74_999, 3, False, 0, id="小規模-下限未満"),
        pytest.param(75_000, 3, True, 50_000, id="小規模-2/3で下限"),
    ],
)
def test_security_frame(rules, cost, employees, eligible, subsidy):
    result = frame(rules, "security", Plan(security=CostPlan(cost)), employees=employees)
    assert (result.eligible, result.subsidy_yen) == (eligible, subsidy)
    assert result.rate == (Fraction(2, 3) if employees <= 5 else Fraction(1, 2))


@pytest.mark.parametrize(
    ("employees", "cost", "rate", "subsidy"),
    [
        pytest.param(40, 5_250_000, Fraction(2, 3), 3_500_000, id="中小-350万円"),
        pytest.param(40, 5_250_003, Fraction(2, 3), 3_500_000, id="中小-上限350万円"),
        pytest.param(40, 3, Fraction(2, 3), 2, id="中小-下限なし"),
        pytest.param(320, 7_000_000, Fraction(1, 2), 3_500_000, id="大企業-1/2で350万円"),
        pytest.param(320, 1_000_001, Fraction(1, 2), 500_000, id="大企業-1/2"),
    ],
)
def test_e_trade_frame(rules, employees, cost, rate, subsidy):
    result = frame(rules, "e_trade", Plan(e_trade=CostPlan(cost)), employees=employees)
    assert (result.eligible, result.rate, result.subsidy_yen) == (True, rate, subsidy)


def test_a_large_clinic_is_told_e_trade_is_its_only_frame(rules):
    plan = Plan(normal=NormalPlan(2, 1_000_000), invoice=InvoicePlan(frozenset({"payment"}), 1))
    evaluation = run(rules, plan, employees=320)
    assert not evaluation.applicant.eligible
    assert [f.code for f in evaluation.frames] == ["normal", "invoice", "e_trade"]
    assert not evaluation.frame("normal").eligible
    assert not evaluation.frame("invoice").eligible
    e_trade = evaluation.frame("e_trade")
    assert not e_trade.eligible and "発注者" in " ".join(r.text for r in e_trade.reasons)


@pytest.mark.parametrize(
    ("members", "software", "analysis", "admin", "eligible", "subsidy"),
    [
        pytest.param(9, 0, 600_000, 0, False, 0, id="9者は対象外"),
        pytest.param(10, 0, 600_000, 0, True, 400_000, id="10者で(b)2/3"),
        pytest.param(10, 0, 9_000_000, 0, True, 5_000_000, id="(b)は50万円×10者まで"),
        pytest.param(60, 0, 60_000_000, 0, True, 30_000_000, id="(a)+(b)は3000万円まで"),
        pytest.param(10, 0, 0, 3_000_000, True, 2_000_000, id="(c)2/3で200万円"),
        pytest.param(10, 0, 0, 3_000_003, True, 2_000_000, id="(c)は上限200万円"),
        pytest.param(10, 1_000_000, 0, 0, True, 500_000, id="(a)はインボイス対応類型と同じ"),
        pytest.param(10, 0, 0, 0, False, 0, id="費用0円"),
    ],
)
def test_multi_frame(rules, members, software, analysis, admin, eligible, subsidy):
    base = InvoicePlan(frozenset({"accounting"}), software)
    result = frame(rules, "multi", Plan(multi=MultiPlan(members, base, analysis, admin)))
    assert (result.eligible, result.subsidy_yen) == (eligible, subsidy)


@pytest.mark.parametrize(
    ("as_of", "code", "expected"),
    [
        pytest.param(date(2026, 5, 12), "normal", date(2026, 5, 12), id="締切日当日は受付中"),
        pytest.param(date(2026, 5, 13), "normal", date(2026, 6, 15), id="翌日は次の回"),
        pytest.param(date(2026, 8, 25), "security", date(2026, 8, 25), id="最終回の当日"),
        pytest.param(date(2026, 8, 26), "security", None, id="最終回の翌日は受付なし"),
        pytest.param(date(2026, 6, 16), "multi", date(2026, 8, 25), id="複数者連携は第2次"),
        pytest.param(date(2026, 11, 25), "invoice", None, id="2026年の回はすべて終了"),
    ],
)
def test_next_deadline(rules, as_of, code, expected):
    plans = {
        "normal": Plan(normal=NormalPlan(1, 200_000)),
        "security": Plan(security=CostPlan(200_000)),
        "multi": Plan(multi=MultiPlan(10, InvoicePlan(frozenset(), 0), 600_000)),
        "invoice": Plan(invoice=InvoicePlan(frozenset({"payment"}), 100_000)),
    }
    result = frame(rules, code, plans[code], as_of=as_of)
    assert (result.next_deadline.closes_on if result.next_deadline else None) == expected
    if expected is None:
        assert any(r.text == NO_OPEN_ROUND for r in result.reasons)
    else:
        assert any("あと" in r.text and "日" in r.text for r in result.reasons)


def test_every_reason_cites_a_rule_and_a_source(rules):
    plan = Plan(
        normal=NormalPlan(4, 4_000_000),
        invoice=InvoicePlan(frozenset({"accounting", "payment"}), 900_000, 100_000, 100_000),
        security=CostPlan(300_000),
        e_trade=CostPlan(300_000),
        multi=MultiPlan(12, InvoicePlan(frozenset({"accounting"}), 300_000), 600_000, 300_000),
    )
    evaluation = run(rules, plan, wage=True, employees=4)
    assert len(evaluation.frames) == 5
    for result in evaluation.frames:
        for reason in result.reasons + result.requirements + result.improvements:
            assert reason.rule and reason.source, reason


@pytest.mark.parametrize(
    ("wage", "verdict", "subsidy"),
    [
        pytest.param(True, "eligible", 2_000_000, id="策定する-申請可能"),
        pytest.param(None, "confirm", 2_000_000, id="わからない-要確認で補助額も示す"),
        pytest.param(False, "not_eligible", 0, id="策定しない-対象外"),
    ],
)
def test_normal_four_processes_with_the_wage_plan_answered_or_not(rules, wage, verdict, subsidy):
    result = frame(rules, "normal", Plan(normal=NormalPlan(4, 4_000_000)), wage=wage)
    assert (result.verdict, result.subsidy_yen) == (verdict, subsidy)
    if wage is None:
        text = " ".join(r.text for r in result.reasons)
        assert "策定・表明するかどうかが未定のため要確認です" in text
        assert "「策定しない」とのご回答です" not in text


@pytest.mark.parametrize(
    ("code", "plan"),
    [
        pytest.param(
            "invoice", Plan(invoice=InvoicePlan(frozenset({"accounting"}), 1)), id="インボイス-1円"
        ),
        pytest.param("e_trade", Plan(e_trade=CostPlan(1)), id="電子取引-1円"),
    ],
)
def test_a_frame_with_nothing_to_subsidise_is_not_eligible(rules, code, plan):
    result = frame(rules, code, plan)
    assert (result.eligible, result.verdict, result.subsidy_yen) == (False, "not_eligible", 0)
    assert result.why_not == "補助額が1円未満になるため、この費用では申請の対象になりません。"
    # one yen more that still rounds to 0: the same; 2 yen at 2/3 or 3/4 is 1 yen: eligible
    assert frame(rules, code, type(plan)({code: _with_cost(plan[code], 2)})).eligible


def _with_cost(plan, cost):
    if isinstance(plan, InvoicePlan):
        return InvoicePlan(plan.functions, cost)
    return CostPlan(cost)


def test_a_band_below_a_round_figure_is_shown_with_that_figure_first(rules):
    result = frame(rules, "normal", Plan(normal=NormalPlan(2, 4_000_000)))
    assert result.subsidy_yen == 1_499_999
    assert [s.formula for s in result.steps if s.label == "上限の適用"] == [
        "上限150万円未満（1,499,999円まで）"
    ]
    large = frame(rules, "normal", Plan(normal=NormalPlan(4, 12_000_000)), wage=True)
    assert [s.formula for s in large.steps if s.label == "上限の適用"] == ["上限4,500,000円まで"]


def test_multi_hardware_without_software_gets_the_invoice_frames_message(rules):
    plan = Plan(
        multi=MultiPlan(
            members=10,
            base=InvoicePlan(frozenset(), 0, pc_cost_yen=300_000),
            analysis_cost_yen=300_000,
        )
    )
    result = frame(rules, "multi", plan)
    assert result.eligible and result.subsidy_yen == 200_000  # (b) 300,000 × 2/3; no PC
    texts = [r.text for r in result.reasons]
    assert (
        "(a)のハードウェアはソフトウェアと併せて導入する場合のみ対象のため、数えていません。"
        in texts
    )
    assert not any("補助対象経費が0円" in t for t in texts)


@pytest.mark.parametrize(
    ("near", "advised"),
    [
        pytest.param(None, True, id="わからない-確かめる助言"),
        pytest.param(False, False, id="いいえ-過ぎた期間の助言はしない"),
        pytest.param(True, False, id="はい-2/3で計算"),
    ],
)
def test_minimum_wage_advice_only_when_the_clinic_can_still_find_out(rules, near, advised):
    result = frame(rules, "normal", Plan(normal=NormalPlan(2, 1_000_000)), near=near)
    texts = [r.text for r in result.improvements]
    assert any(
        "最低賃金近傍の事業者に当てはまるかどうかを確かめてください" in t for t in texts
    ) == (advised)
    assert result.rate == (Fraction(2, 3) if near else Fraction(1, 2))
