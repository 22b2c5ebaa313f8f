"""Where each frame's application stands, per clinic (issue 22): the stages are rule data; each
change is kept with who and when; the latest is shown on the result and in the PDF."""

import copy
import re

import pytest

from eligibility.engine import RulesError, parse_rules
from eligibility.models import ApplicationRecord
from eligibility.result_pdf import cache_key, result_html
from eligibility.selectors import rule_set_for, rule_version_published, screening_result, today
from tests import factories
from tests.conftest import rules_document

pytestmark = pytest.mark.django_db

ANSWERS = factories.NORMAL_AND_SECURITY


# --- the rule data --------------------------------------------------------------------------


def test_the_shipped_version_has_the_stages_in_order_with_their_milestones():
    rules = parse_rules(rules_document())
    assert [s.name for s in rules.application_stages] == [
        "検討中",
        "IT導入支援事業者に相談済み",
        "申請済み",
        "採択",
        "不採択",
        "交付決定",
        "実績報告済み",
        "補助金受領",
    ]
    milestones = {s.code: s.milestones for s in rules.application_stages}
    assert milestones["considering"] == frozenset()
    assert milestones["rejected"] == {"applied"}
    assert milestones["received"] == {"applied", "adopted", "granted"}
    assert [s.code for s in rules.application_stages if s.records_application] == ["applied"]
    assert rules.reminder_days == (14, 3)


def test_a_document_without_stages_records_none():
    document = rules_document()
    del document["application_stages"], document["reminder_days"]
    rules = parse_rules(document)
    assert rules.application_stages == () and rules.reminder_days == ()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["application_stages"][0].update(milestones=["paid"]), "到達点「paid」"),
        (lambda d: d["application_stages"][3].update(records_application=True), "1つにして"),
        (lambda d: d["application_stages"][1].update(code="considering"), "重複"),
        (lambda d: d.update(reminder_days=[0]), "1～90"),
        (lambda d: d.update(reminder_days=[91]), "1～90"),
        (lambda d: d.update(reminder_days=[3, 3]), "重複"),
    ],
)
def test_a_wrong_stage_table_is_refused_naming_the_problem(change, problem):
    document = copy.deepcopy(rules_document())
    change(document)
    with pytest.raises(RulesError) as refused:
        parse_rules(document)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


@pytest.mark.parametrize("days", [[1], [90], [14, 3]])
def test_reminder_days_at_the_edges_are_taken(days):
    assert parse_rules(rules_document() | {"reminder_days": days}).reminder_days == tuple(
        sorted(days, reverse=True)
    )


# --- recording ------------------------------------------------------------------------------


@pytest.fixture
def clinic_and_result(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = factories.completed_screening(user, ANSWERS)
    client.force_login(user)
    return user, screening


def stage_url(screening, frame="normal"):
    return f"/screenings/{screening.pk}/stage/{frame}/"


def test_applied_asks_the_round_and_date_and_keeps_what_was_typed(client, clinic_and_result):
    _, screening = clinic_and_result
    response = client.post(
        stage_url(screening),
        {"stage-normal-stage": "applied", "stage-normal-application_number": "ＡＢ－１２３"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "申請した回：「申請済み」のときは、申請した回を選んでください。" in page
    assert "申請日：「申請済み」のときは、申請日を入力してください。" in page
    assert 'value="ＡＢ－１２３"' in page  # nothing typed is lost
    assert not ApplicationRecord.objects.exists()


def test_a_recorded_stage_is_shown_with_its_round_and_kept_in_the_history(
    client, clinic_and_result
):
    user, screening = clinic_and_result
    response = client.post(
        stage_url(screening),
        {
            "stage-normal-stage": "applied",
            "stage-normal-round_number": "2",
            "stage-normal-applied_on": "２０２６/６/１０",
            "stage-normal-application_number": "A-123",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "通常枠の申請の状況を「申請済み」として記録しました。" in page
    assert "<strong>申請済み</strong>（第2次・2026年6月10日申請・申請番号 A-123）" in page
    record = ApplicationRecord.objects.get()
    assert (record.applied, record.adopted, record.granted) == (True, False, False)
    assert record.recorded_by == user and record.programme == "デジタル化・AI導入補助金2026"

    # a mistake corrected: the right stage is recorded; both stay in the history
    client.post(stage_url(screening), {"stage-normal-stage": "considering"})
    page = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "<strong>検討中</strong>" in page
    history = client.get(stage_url(screening)).content.decode().split("記録の履歴")[1]
    assert history.count("<li>") == 2 and "申請済み（第2次・2026年6月10日申請・A-123）" in history
    assert ApplicationRecord.objects.count() == 2
    assert ApplicationRecord.objects.latest("id").round_number is None  # not kept for 検討中


def test_the_pdf_shows_the_stage_and_its_cache_follows_it(clinic_and_result):
    user, screening = clinic_and_result
    before = cache_key(screening_result(screening=screening, as_of=today()))
    ApplicationRecord.objects.create(
        clinic=user.clinic,
        programme="デジタル化・AI導入補助金2026",
        frame_code="security",
        stage="adopted",
        stage_name="採択",
        applied=True,
        adopted=True,
    )
    result = screening_result(screening=screening, as_of=today())
    assert cache_key(result) != before
    html = result_html(result)
    assert "申請の状況" in html and "<strong>採択</strong>" in html
    assert "申請の状況を記録する" not in html  # the form is for the page only


def test_another_programmes_record_is_not_this_ones(clinic_and_result):
    user, screening = clinic_and_result
    ApplicationRecord.objects.create(
        clinic=user.clinic,
        programme="IT導入補助金2025",
        frame_code="normal",
        stage="applied",
        stage_name="申請済み",
    )
    result = screening_result(screening=screening, as_of=today())
    assert all(view.stage is None for view in result.frames)


def test_the_stage_page_starts_from_the_stage_recorded(client, clinic_and_result):
    _, screening = clinic_and_result
    page = client.get(stage_url(screening)).content.decode()
    assert "今の状況：まだ記録されていません。" in page
    client.post(stage_url(screening), {"stage-normal-stage": "consulted"})
    page = client.get(stage_url(screening)).content.decode()
    assert re.search(r'<input[^>]*value="consulted"[^>]*checked', page)
    assert "今の状況：<strong>IT導入支援事業者に相談済み</strong>" in page


def test_another_clinic_cannot_record_and_staff_only_read(client, clinic_and_result):
    _, screening = clinic_and_result
    client.post(stage_url(screening), {"stage-normal-stage": "consulted"})
    client.force_login(factories.clinic_user(factories.clinic()))
    assert (
        client.post(stage_url(screening), {"stage-normal-stage": "considering"}).status_code == 404
    )
    staff = factories.staff("東京都")
    client.force_login(staff)
    assert (
        client.post(stage_url(screening), {"stage-normal-stage": "considering"}).status_code == 403
    )
    assert ApplicationRecord.objects.count() == 1
    page = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "<strong>IT導入支援事業者に相談済み</strong>" in page
    assert "申請の状況を記録する" not in page


def test_a_frame_not_in_the_result_is_not_found(client, clinic_and_result):
    _, screening = clinic_and_result
    response = client.post(stage_url(screening, "invoice"), {"stage-invoice-stage": "applied"})
    assert response.status_code == 404


def test_a_new_version_s_changes_to_the_stages_and_reminders_are_listed():
    from eligibility.engine.diff import document_diff

    old = rules_document()
    new = copy.deepcopy(old) | {"reminder_days": [7]}
    new["application_stages"] = new["application_stages"][:3]
    lines = document_diff(old, new)
    assert "締切前のお知らせ 14日前・3日前 → 7日前" in lines
    assert (
        "申請の段階 検討中→IT導入支援事業者に相談済み→申請済み→採択→不採択→交付決定→実績報告済み→補助金受領 → 検討中→IT導入支援事業者に相談済み→申請済み"
        in lines
    )
    assert document_diff(old, copy.deepcopy(old)) == []


# --- rule administration ----------------------------------------------------------------------


@pytest.fixture
def draft(client):
    from eligibility.services import rule_admin_clone

    client.force_login(factories.rule_admin())
    return rule_admin_clone(version=rule_version_published(), label="2026.2", by=None)


def test_rule_administrators_edit_the_stages_of_a_draft(client, draft):
    data = factories.section_data(draft, "stages")
    assert data["stages-2-milestones"] == ["applied"]
    data["stages-0-name"] = "検討を始めた"
    data["stages-5-milestones"] = ["applied", "adopted", "granted"]
    response = client.post(f"/rules/admin/{draft.pk}/edit/stages/", data)
    assert response.status_code == 302
    stages = rule_set_for(version=draft).application_stages
    assert stages[0].name == "検討を始めた"
    assert stages[5].milestones == {"applied", "adopted", "granted"}
    assert draft.events.get(kind="edit").diff[0].startswith("申請の段階 検討中→")


@pytest.mark.parametrize(
    ("typed", "saved", "problem"),
    [
        ("７、１", (7, 1), None),
        ("", (), None),
        ("0", None, "1～90"),
        ("十四", None, "整数で入力してください"),
    ],
)
def test_rule_administrators_set_the_reminder_days(client, draft, typed, saved, problem):
    response = client.post(
        f"/rules/admin/{draft.pk}/edit/reminders/", {"reminders-reminder_days": typed}
    )
    if saved is not None:
        assert response.status_code == 302
        assert rule_set_for(version=draft).reminder_days == saved
    else:
        assert response.status_code == 200 and problem in response.content.decode()  # shown again
        assert rule_set_for(version=draft).reminder_days == (14, 3)
