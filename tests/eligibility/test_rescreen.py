"""Batch re-screening after a version is published: notices for the screenings whose result
changes (the screenings themselves keep their numbers), progress for the administrator, the
task (immediate or database-backed) and the `rescreen` command."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from eligibility.models import RescreenRun, RuleVersionEvent, Screening, ScreeningChange
from eligibility.selectors import rule_version_document, rule_version_published, today
from eligibility.services import (
    rescreen_run_create,
    rescreen_run_execute,
    rescreen_run_start,
    rule_admin_clone,
    rule_admin_edit,
    rule_admin_publish,
    screening_complete,
    screening_create,
)
from tests import factories

pytestmark = pytest.mark.django_db

SMALL_SECURITY = {
    "legal_form": "medical_corporation",
    "employees": 3,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}
LARGE_SECURITY = SMALL_SECURITY | {"employees": 40}
NORMAL = {
    "legal_form": "individual",
    "employees": 12,
    "goals": ["normal"],
    "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
    "minimum_wage_near": False,
    "tools_done": True,
}


def screening_for(answers, *, prefecture="東京都", complete=True):
    user = factories.clinic_user(factories.clinic(prefecture=prefecture))
    screening = screening_create(clinic=user.clinic, name="見積り", by=user)
    screening.answers = answers
    screening.save()
    if complete:
        screening_complete(screening=screening, as_of=today())
    screening.user = user
    return screening


@pytest.fixture
def world():
    """Three completed screenings (two change under 2026.2, one does not) and one unfinished."""
    return {
        "small": screening_for(SMALL_SECURITY),
        "large": screening_for(LARGE_SECURITY, prefecture="大阪府"),
        "normal": screening_for(NORMAL),
        "unfinished": screening_for(SMALL_SECURITY, complete=False),
    }


def publish_new_version():
    """2026.2: セキュリティ対策推進枠 小規模 3/4, and a 第5次 round for 通常枠."""
    draft = rule_admin_clone(version=rule_version_published(), label="2026.2", by=None)
    document = rule_version_document(version=draft)
    frames = {f["code"]: f for f in document["frames"]}
    next(p for p in frames["security"]["params"] if p["key"] == "rate_small")["value"] = "3/4"
    frames["normal"]["rounds"].append(
        {"number": 5, "closes_on": (today() + timedelta(days=56)).isoformat(), "source": "x"}
    )
    rule_admin_edit(version=draft, document=document, by=None, what="テスト")
    return rule_admin_publish(version=draft, effective_from=today(), by=None)


def snapshot(screening):
    screening.refresh_from_db()
    outcomes = sorted(screening.outcomes.values_list("frame_code", "subsidy_yen", "next_deadline"))
    return screening.rule_version.label, screening.total_subsidy_yen, outcomes


def test_it_leaves_a_notice_on_each_changed_screening_and_keeps_the_old_results(world):
    before = {name: snapshot(s) for name, s in world.items()}
    screenings = Screening.objects.count()
    version = publish_new_version()
    run = rescreen_run_start(version=version, by=factories.rule_admin())
    assert (run.status, run.total, run.processed, run.changed) == ("done", 3, 3, 2)
    assert Screening.objects.count() == screenings
    assert {name: snapshot(s) for name, s in world.items()} == before
    small = ScreeningChange.objects.get(screening=world["small"])
    assert small.lines == ["セキュリティ対策推進枠 補助額 320,000円 → 360,000円"]
    assert (small.old_total_subsidy_yen, small.new_total_subsidy_yen) == (320_000, 360_000)
    assert small.subsidy_changed and not small.deadline_changed
    normal = ScreeningChange.objects.get(screening=world["normal"])
    assert normal.deadline_changed and normal.lines[0].startswith("通常枠 次の締切 なし → ")
    assert not ScreeningChange.objects.filter(screening=world["large"]).exists()
    assert version.events.filter(kind=RuleVersionEvent.Kind.RESCREEN).exists()


def test_the_clinic_sees_the_notice_and_staff_see_the_count(client, world):
    rescreen_run_start(version=publish_new_version(), by=None)
    client.force_login(world["small"].user)
    html = client.get("/screenings/").content.decode()
    assert "新しい版（2026.2）で結果が変わりました" in html
    assert f"/screenings/{world['small'].pk}/compare/" in html
    client.force_login(world["large"].user)
    assert "結果が変わりました" not in client.get("/screenings/").content.decode()
    client.force_login(factories.staff("東京都"))
    html = client.get(reverse("members")).content.decode()
    assert "ルールの新しい版（2026.2）で、会員の医療機関2件の確認結果が変わりました" in html
    client.force_login(factories.staff("大阪府"))
    assert "確認結果が変わりました" not in client.get(reverse("members")).content.decode()

    # once a clinic has re-checked under the new version, staff no longer count it
    client.force_login(world["small"].user)
    client.post(f"/screenings/{world['small'].pk}/recheck/")
    client.force_login(factories.staff("東京都"))
    html = client.get(reverse("members")).content.decode()
    assert "ルールの新しい版（2026.2）で、会員の医療機関1件の確認結果が変わりました" in html


def test_publishing_from_the_page_re_screens_and_shows_the_progress(client, world):
    draft = rule_admin_clone(version=rule_version_published(), label="2026.2", by=None)
    client.force_login(factories.rule_admin())
    response = client.post(
        f"/rules/admin/{draft.pk}/publish/",
        {"effective_from": today().isoformat(), "rescreen": "on"},
    )
    page = client.get(response.url)
    html = page.content.decode()
    assert "保存済みの確認3件を再判定しました。結果が変わった確認は0件です。" in html
    assert "3 / 3件" in html and "完了" in html
    fragment = client.get(f"/rules/admin/{draft.pk}/?part=progress", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="rescreen-progress"')
    assert "<html" not in fragment.content.decode()


def test_the_counts_are_saved_after_every_chunk(world):
    version = publish_new_version()
    run = rescreen_run_create(version=version, by=None, chunk_size=1)
    seen = []
    rescreen_run_execute(
        run=run,
        progress=lambda r: seen.append(
            RescreenRun.objects.values_list("processed", "changed", "total").get(pk=r.pk)
        ),
    )
    assert [processed for processed, _, _ in seen] == [1, 2, 3]
    assert seen[-1] == (3, 2, 3)


def test_running_again_replaces_the_notices(world):
    version = publish_new_version()
    rescreen_run_start(version=version, by=None)
    rescreen_run_start(version=version, by=None)
    assert ScreeningChange.objects.filter(version=version).count() == 2
    assert version.rescreen_runs.count() == 2


def test_answers_that_cannot_be_evaluated_are_skipped(world):
    Screening.objects.filter(pk=world["large"].pk).update(answers={})
    run = rescreen_run_start(version=publish_new_version(), by=None)
    assert (run.status, run.processed, run.changed) == ("done", 3, 2)


def test_a_failure_is_shown_on_the_run(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("壊れた")

    version = publish_new_version()
    monkeypatch.setattr("eligibility.services.screening_impact_range", broken)
    run = rescreen_run_start(version=version, by=None)
    assert run.status == "failed" and "壊れた" in run.error


def test_only_a_published_version_is_re_screened(world):
    draft = rule_admin_clone(version=rule_version_published(), label="2026.2", by=None)
    with pytest.raises(CommandError, match="公開中の版だけです"):
        call_command("rescreen", "--rules", draft.label, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"版 2099\.1 がありません"):
        call_command("rescreen", "--rules", "2099.1", stdout=io.StringIO())


def test_the_command_re_screens_in_chunks_and_prints_the_progress(world):
    version = publish_new_version()
    out = io.StringIO()
    call_command("rescreen", "--rules", "2026.2", "--chunk-size", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "版 2026.2 で保存済みの確認を再判定します。"
    assert lines[1].startswith("  2 / 3件  結果が変わった確認 ")
    assert lines[2].startswith("  3 / 3件  結果が変わった確認 2件")
    assert lines[3].startswith("再判定が終わりました：3件 ")
    assert ScreeningChange.objects.filter(version=version).count() == 2
    assert version.rescreen_runs.get().status == "done"


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_with_the_database_backend_a_worker_runs_the_task(world, run_ready_tasks):
    version = publish_new_version()
    run = rescreen_run_start(version=version, by=None)
    assert run.status == "queued" and DBTaskResult.objects.count() == 1
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    run.refresh_from_db()
    assert (run.status, run.processed, run.changed) == ("done", 3, 2)


def test_the_chunks_share_the_screenings_without_overlapping(world):
    version = publish_new_version()
    run = rescreen_run_create(version=version, by=None, chunk_size=2)
    ids = sorted(s.pk for key, s in world.items() if key != "unfinished")
    ranges = list(run.chunks.values_list("first_id", "last_id"))
    assert ranges == [(ids[0], ids[1]), (ids[2], ids[2])]
    assert run.total == 3 and run.status == "queued"


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_workers_take_one_chunk_each_and_the_run_is_their_sum(world, run_ready_tasks):
    version = publish_new_version()
    run = rescreen_run_create(version=version, by=None, chunk_size=2)
    from eligibility.tasks import rescreen_chunk

    for chunk_id in run.chunks.values_list("pk", flat=True):
        rescreen_chunk.enqueue(chunk_id)
    assert DBTaskResult.objects.count() == 2
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL", "SUCCESSFUL"]
    run.refresh_from_db()
    assert (run.status, run.processed, run.changed) == ("done", 3, 2)
    assert sorted(run.chunks.values_list("processed", "changed", "attempts")) == [
        (1, 1, 1),
        (2, 1, 1),
    ]


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_failed_chunk_is_retried_alone(world, run_ready_tasks, monkeypatch):
    from eligibility import services

    version = publish_new_version()
    run = rescreen_run_create(version=version, by=None, chunk_size=2)
    first = run.chunks.order_by("first_id").first()
    real, failures = services.screening_impact_range, []

    def flaky(**kwargs):
        if kwargs["first_id"] == first.first_id and not failures:
            failures.append(1)
            raise ConnectionError("データベースが一時的に応答しません")
        return real(**kwargs)

    monkeypatch.setattr(services, "screening_impact_range", flaky)
    from eligibility.tasks import rescreen_chunk

    for chunk_id in run.chunks.values_list("pk", flat=True):
        rescreen_chunk.enqueue(chunk_id)
    run_ready_tasks()  # the first chunk fails and is queued again; the second is done
    run.refresh_from_db()
    assert (run.status, run.processed) == ("running", 1)
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("failed", 1) and "応答しません" in first.error
    run_ready_tasks()  # the retry
    run.refresh_from_db()
    assert (run.status, run.processed, run.changed) == ("done", 3, 2)
    assert sorted(run.chunks.values_list("attempts", flat=True)) == [1, 2]
    assert ScreeningChange.objects.filter(version=version).count() == 2


def test_a_chunk_that_keeps_failing_fails_the_run(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("壊れた")

    monkeypatch.setattr("eligibility.services.screening_impact_range", broken)
    run = rescreen_run_start(version=publish_new_version(), by=None)
    assert run.status == "failed" and "壊れた" in run.error
    assert run.chunks.get().attempts == 3
