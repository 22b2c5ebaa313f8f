"""Laws that hold for every input: the subsidy never exceeds the frame's cap, nor the cost
times the highest rate that frame can apply."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.engine import evaluate
from eligibility.engine.types import (
    ClinicFacts,
    CostPlan,
    FrameNumbers,
    InvoicePlan,
    MultiPlan,
    NormalPlan,
    Plan,
)
from tests.fuzz import examples

yen = st.integers(min_value=0, max_value=50_000_000)
facts = st.builds(
    ClinicFacts,
    legal_form=st.sampled_from(["medical_corporation", "individual", "social_welfare_corporation"]),
    employees=st.integers(min_value=0, max_value=400),
    minimum_wage_near=st.booleans(),
    wage_increase_plan=st.booleans(),
)
plans = st.builds(
    Plan,
    normal=st.builds(NormalPlan, processes=st.integers(0, 7), cost_yen=yen),
    invoice=st.builds(
        InvoicePlan,
        functions=st.frozensets(st.sampled_from(["accounting", "ordering", "payment"])),
        software_cost_yen=yen,
        pc_cost_yen=yen,
        register_cost_yen=yen,
    ),
    security=st.builds(CostPlan, cost_yen=yen),
    e_trade=st.builds(CostPlan, cost_yen=yen),
)


def highest_rate(frame):
    return max(p.value for p in frame.params.values() if p.kind == "rate")


@settings(max_examples=examples(300), deadline=None)
@given(facts=facts, plan=plans)
def test_subsidy_never_exceeds_cap_nor_cost_times_highest_rate(rules, facts, plan):
    evaluation = evaluate(facts, plan, rules, as_of=date(2026, 6, 1))
    for result in evaluation.frames:
        frame_plan = plan.get(result.code)
        cost = (
            frame_plan.software_cost_yen + frame_plan.pc_cost_yen + frame_plan.register_cost_yen
            if result.code == "invoice"
            else frame_plan.cost_yen
        )
        assert 0 <= result.subsidy_yen <= result.max_subsidy_yen
        assert result.subsidy_yen <= cost * highest_rate(rules.frames[result.code])
        if result.eligible:
            assert result.subsidy_yen >= result.min_subsidy_yen
        else:
            assert result.subsidy_yen == 0


@settings(max_examples=examples(200), deadline=None)
@given(facts=facts, cost=yen, extra=st.integers(min_value=1, max_value=1_000_000))
def test_more_cost_never_means_less_subsidy_within_a_band(rules, facts, cost, extra):
    def subsidy(amount):
        plan = Plan(security=CostPlan(amount), e_trade=CostPlan(amount))
        evaluation = evaluate(facts, plan, rules, as_of=date(2026, 6, 1))
        return [f.subsidy_yen for f in evaluation.frames]

    assert all(a <= b for a, b in zip(subsidy(cost), subsidy(cost + extra), strict=True))


multi_plans = st.builds(
    MultiPlan,
    members=st.integers(0, 30),
    base=st.builds(
        InvoicePlan,
        functions=st.frozensets(st.sampled_from(["accounting", "ordering", "payment"])),
        software_cost_yen=yen,
        pc_cost_yen=yen,
        register_cost_yen=yen,
    ),
    analysis_cost_yen=yen,
    admin_cost_yen=yen,
)


@settings(max_examples=examples(300), deadline=None)
@given(
    facts=facts,
    plan=plans,
    multi=st.one_of(st.none(), multi_plans),
    as_of=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 3, 31)),
)
def test_the_numbers_are_the_same_with_and_without_the_explanation(
    rules, facts, plan, multi, as_of
):
    if multi is not None:
        plan = Plan(plan, multi=multi)
    explained = evaluate(facts, plan, rules, as_of=as_of)
    numbers = evaluate(facts, plan, rules, as_of=as_of, explain=False)
    assert numbers.applicant.sme == explained.applicant.sme
    assert numbers.applicant.small_business == explained.applicant.small_business
    assert numbers.total_subsidy_yen == explained.total_subsidy_yen
    assert [tuple(f) for f in numbers.frames] == [
        tuple(getattr(f, name) for name in FrameNumbers._fields) for f in explained.frames
    ]
    assert all(type(f.subsidy_yen) is int for f in numbers.frames)
    assert all(f.reasons for f in explained.frames)  # the explained path does explain
