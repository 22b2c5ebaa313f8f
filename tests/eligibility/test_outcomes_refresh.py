"""The stored outcomes are a cache of the evaluation keyed by the answers, the rule version and
the engine's code: after a deploy that changes the engine, ``manage.py refresh_outcomes``
re-computes those an older engine wrote, and leaves the clinic's own dates alone."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from eligibility.engine import engine_version
from eligibility.models import Screening, ScreeningOutcome
from eligibility.services import screening_create
from tests import factories

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 3,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


def completed() -> Screening:
    user = factories.clinic_user()
    return factories.completed_screening(user, ANSWERS, name="お助け隊", as_of=date(2026, 6, 1))


def refresh() -> str:
    out = io.StringIO()
    call_command("refresh_outcomes", "--as-of", "2026-06-01", stdout=out)
    return out.getvalue()


def test_completion_records_the_engine_that_computed_the_outcomes():
    screening = completed()
    assert screening.outcomes_engine == engine_version() != ""
    assert refresh() == "判定結果を計算し直した確認：0件\n"


def test_outcomes_of_an_older_engine_are_computed_again_and_the_dates_kept():
    screening, untouched = completed(), completed()
    right = list(screening.outcomes.values_list("frame_code", "subsidy_yen", "eligible"))
    assert right == [("security", 320_000, True)]  # 480,000 × 2/3 (小規模事業者)
    ScreeningOutcome.objects.filter(screening=screening).update(subsidy_yen=1, eligible=False)
    Screening.objects.filter(pk=screening.pk).update(outcomes_engine="0ld", total_subsidy_yen=1)
    before = Screening.objects.values("completed_at", "updated_at").get(pk=screening.pk)
    untouched_before = Screening.objects.values("updated_at").get(pk=untouched.pk)

    assert refresh() == "判定結果を計算し直した確認：1件\n"

    screening.refresh_from_db()
    assert list(screening.outcomes.values_list("frame_code", "subsidy_yen", "eligible")) == right
    assert (screening.total_subsidy_yen, screening.outcomes_engine) == (320_000, engine_version())
    assert Screening.objects.values("completed_at", "updated_at").get(pk=screening.pk) == before
    assert Screening.objects.values("updated_at").get(pk=untouched.pk) == untouched_before
    assert refresh() == "判定結果を計算し直した確認：0件\n"


def test_unfinished_screenings_are_left_alone():
    user = factories.clinic_user()
    screening = screening_create(clinic=user.clinic, name="途中", by=user)
    assert refresh() == "判定結果を計算し直した確認：0件\n"
    screening.refresh_from_db()
    assert screening.outcomes_engine == "" and not screening.outcomes.exists()
