"""Two questions, answered apart (issue 20, item 1): does the clinic qualify under the
version's rules, and can it apply now. 申請可能 only when a round is open; otherwise the page
shows the schedule (closed rounds 終了, next round 未発表) and takes the wish to be told."""

from datetime import timedelta

import pytest

from clinics.models import Clinic
from eligibility.selectors import rule_version_published, today
from eligibility.services import (
    rule_version_clone,
    rule_version_publish,
    screening_complete,
    screening_create,
)
from tests import factories
from tests.factories import frame_of

pytestmark = pytest.mark.django_db

SECURITY = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


def completed(user):
    return factories.completed_screening(user, SECURITY, name="お助け隊")


@pytest.fixture
def clinic_client(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    client.force_login(user)
    client.user = user
    return client


def test_with_every_round_closed_the_frame_qualifies_but_is_not_said_to_be_open(clinic_client):
    screening = completed(clinic_client.user)  # under 2026.1: its last round closed 2026-08-25
    html = clinic_client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "要件を満たす（受付中の回なし）" in html
    assert "✓</span> 申請可能" not in html
    assert "受付終了（次回は未発表）" in html
    assert '第4次 2026年8月25日締切 <span class="badge badge-neutral">終了</span>' in html
    assert '次回 <span class="badge badge-neutral">未発表</span>' in html
    assert "新しい公募回が発表されたら、メールで知らせてほしい" in html


def test_with_a_round_open_it_is_applicable_until_its_deadline(clinic_client):
    draft = rule_version_clone(version=rule_version_published(), label="2026.2")
    closes = today() + timedelta(days=30)
    frame_of(draft.document, "security")["rounds"].append(
        {"number": 5, "closes_on": closes.isoformat(), "source": "事務局の発表（テスト）"}
    )
    draft.save()
    rule_version_publish(version=draft)
    screening = completed(clinic_client.user)
    html = clinic_client.get(f"/screenings/{screening.pk}/result/").content.decode()
    deadline = f"{closes.year}年{closes.month}月{closes.day}日"
    assert "✓</span> 申請可能" in html
    assert f"受付中：第5次 {deadline}締切" in html
    assert f'第5次 {deadline}締切 <span class="badge badge-eligible">受付中</span>' in html
    assert '<span class="badge badge-neutral">終了</span>' in html  # 第1次–第4次
    assert "未発表" not in html and "新しい公募回が発表されたら" not in html


def test_the_wish_to_hear_of_a_new_round_is_recorded_and_can_be_withdrawn(clinic_client):
    screening = completed(clinic_client.user)
    clinic = clinic_client.user.clinic
    before = Clinic.objects.values_list("updated_at", flat=True).get(pk=clinic.pk)
    url = f"/screenings/{screening.pk}/new-round-notice/"
    response = clinic_client.post(url, {"wanted": "on"}, follow=True)
    assert "新しい公募回が発表されたら、メールでお知らせします。" in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.new_round_notice is not None
    assert clinic.updated_at == before  # not a change of the profile (the PDF's key)
    html = clinic_client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert 'name="wanted" checked' in html and "ご希望を承りました" in html
    clinic_client.post(url, {})
    clinic.refresh_from_db()
    assert clinic.new_round_notice is None


def test_another_clinic_cannot_record_a_wish_on_this_result(client, clinic_client):
    screening = completed(clinic_client.user)
    client.force_login(factories.clinic_user(factories.clinic(employees=5)))
    response = client.post(f"/screenings/{screening.pk}/new-round-notice/", {"wanted": "on"})
    assert response.status_code == 404
    assert Clinic.objects.get(pk=clinic_client.user.clinic.pk).new_round_notice is None


def test_the_invoice_range_shows_each_cap_on_its_own_line(clinic_client):
    user = clinic_client.user
    screening = screening_create(clinic=user.clinic, name="会計ソフト", by=user)
    screening.answers = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["normal", "invoice"],
        "normal": {"tools": ["web_reservation"], "purchase_yen": 4_000_000},
        "invoice": {"tools": ["accounting"], "purchase_yen": 600_000, "pc_yen": 150_000},
        "minimum_wage_near": False,
        "tools_done": True,
    }
    screening.save()
    screening_complete(screening=screening, as_of=today())
    html = clinic_client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "ソフトウェア：500,000円以下（1機能）" in html
    assert "PC・タブレット等：100,000円以下" in html and "レジ・券売機等：200,000円以下" in html
    assert "下限はありません" in html and "下限なし、800,000円以下" not in html
    assert "50,000円以上、150万円未満（1,499,999円まで）" in html  # 通常枠


def test_the_group_frame_shows_its_closed_rounds_and_what_is_to_be_confirmed(clinic_client):
    answers = dict(SECURITY, goals=["security", "multi"])
    screening = factories.completed_screening(clinic_client.user, answers)
    html = clinic_client.get(f"/screenings/{screening.pk}/result/").content.decode()
    row = html[html.index('<a href="#frame-multi">') :][:600]
    assert "受付終了（次回は未発表）" in row and "グループの代表者にご確認ください" not in row
    card = html[html.index('id="frame-multi"') :]
    assert '第1次 2026年6月15日締切 <span class="badge badge-neutral">終了</span>' in card
    assert "(a)+(b)の上限3,000万円と(c)の上限200万円はグループ全体の上限です" in card
    assert "構成員ごとかグループ全体か" in card and "公募要領で要確認" in card
