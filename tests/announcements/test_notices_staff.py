"""Staff write, attach, publish (now or at a date) and withdraw their association's notices;
nobody else can."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from announcements.models import Publication
from announcements.services import notice_jma_ensure
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff("東京都"))
    return client


def test_it_lists_the_associations_notices_with_read_counts(staff_client):
    mine = nf.publication("東京都", title="東京の案内")
    nf.publication("大阪府", title="大阪の案内")
    reader = factories.clinic_user(factories.clinic())
    mine.receipts.create(user=reader)
    factories.clinic()  # a second member that has not read it
    html = staff_client.get("/staff/notices/").content.decode()
    assert "東京の案内" in html and "大阪の案内" not in html
    assert "1 / 2件" in html and "公開中" in html


def test_it_prefills_the_cover_message_with_the_associations_contact(staff_client):
    association = factories.association("東京都")
    association.contact_phone = "03-3946-2121"
    association.contact_email = "jimukyoku@tokyo.example.jp"
    association.save()
    html = staff_client.get("/staff/notices/new/?from=jma").content.decode()
    assert "東京都医師会 事務局" in html
    assert "電話：03-3946-2121" in html and "メール：jimukyoku@tokyo.example.jp" in html
    assert "日医発第390号（医経）（情シ）" in html
    assert "checked" in html  # the JMA notice is chosen


def test_it_creates_a_draft_from_the_jma_notice(staff_client):
    notice = notice_jma_ensure()
    response = staff_client.post(
        "/staff/notices/new/",
        {
            "title": "【ご案内】デジタル化・AI導入補助金2026",
            "notice": notice.pk,
            "cover_message": "会員の皆さまへ",
            "contact": "東京都医師会 事務局",
            "body": "",
        },
    )
    publication = Publication.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/notices/{publication.pk}/"
    assert publication.association.prefecture == "東京都"
    assert publication.is_draft and publication.notice == notice
    assert mail.outbox == []


def test_its_own_notice_needs_a_body(staff_client):
    response = staff_client.post(
        "/staff/notices/new/", {"title": "独自", "cover_message": "会員各位", "notice": ""}
    )
    assert response.status_code == 200
    assert "全国の通知を添えない場合は、お知らせの本文を入力してください。" in (
        response.content.decode()
    )
    assert not Publication.objects.exists()


@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
def test_a_title_with_a_line_break_is_refused(staff_client, line_break):
    data = {"title": f"ご案内{line_break}Bcc: x@example.jp", "cover_message": "会員各位"}
    data |= {"body": "本文", "notice": ""}
    response = staff_client.post("/staff/notices/new/", data)
    assert response.status_code == 200
    assert "件名に改行は入れられません。1行で入力してください。" in response.content.decode()
    assert not Publication.objects.exists()
    draft = nf.publication(state="draft", with_notice=False, title="元の件名")
    assert staff_client.post(f"/staff/notices/{draft.pk}/edit/", data).status_code == 200
    draft.refresh_from_db()
    assert draft.title == "元の件名"


def test_it_edits_a_draft_but_not_a_published_notice(staff_client):
    draft = nf.publication(state="draft", with_notice=False)
    data = {"title": "新しい件名", "cover_message": "会員各位", "body": "本文", "notice": ""}
    assert staff_client.post(f"/staff/notices/{draft.pk}/edit/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新しい件名"
    live = nf.publication(state="live")
    response = staff_client.post(f"/staff/notices/{live.pk}/edit/", data)
    live.refresh_from_db()
    assert response.status_code == 302 and live.title != "新しい件名"


def test_publishing_now_emails_exactly_the_associations_clinic_users(staff_client):
    draft = nf.publication(state="draft")
    members = [factories.clinic_user(factories.clinic()) for _ in range(2)]
    members.append(factories.clinic_user(members[0].clinic))  # a second user of one clinic
    inactive = factories.clinic_user(factories.clinic())
    inactive.is_active = False
    inactive.save()
    factories.clinic_user(factories.clinic(prefecture="大阪府"))
    factories.staff("東京都")
    response = staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_live and draft.notified_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the other members' addresses
    assert f"http://127.0.0.1:8000/notices/{draft.pk}/" in mail.outbox[0].body
    assert "東京都医師会からのお知らせ" in mail.outbox[0].subject
    page = staff_client.get(response.url).content.decode()
    assert "公開しました。会員の医療機関の利用者3人にお知らせメールを送ります" in page


@pytest.mark.parametrize("what", ["notice", "reminder"])
def test_with_the_database_backend_the_worker_sends_the_emails_not_the_request(
    staff_client, settings, run_ready_tasks, what
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    members = [factories.clinic_user(factories.clinic()) for _ in range(3)]
    if what == "notice":
        draft = nf.publication(state="draft")
        staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
        draft.refresh_from_db()
        assert draft.notified_at is not None  # claimed with the queued e-mail, in one commit
    else:
        staff_client.post("/staff/reminders/")
    assert mail.outbox == []  # the staff's request only queued them
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)
    assert run_ready_tasks() == []  # sent once


def test_publishing_at_a_date_schedules_it_without_email(staff_client):
    draft = nf.publication(state="draft")
    factories.clinic_user(factories.clinic())
    when = timezone.localtime() + timedelta(days=3)
    response = staff_client.post(
        f"/staff/notices/{draft.pk}/publish/",
        {"when": "later", "publish_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled and draft.notified_at is None
    assert mail.outbox == []
    assert "公開予約" in staff_client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "later", "publish_at": ""}, "予約する場合は公開日時を入力してください。"),
        (
            {"when": "later", "publish_at": "2020-01-01T09:00"},
            "公開日時は現在より後の日時を指定してください。",
        ),
    ],
    ids=["no-date", "date-in-the-past"],
)
def test_a_bad_schedule_is_named(staff_client, data, message):
    draft = nf.publication(state="draft")
    response = staff_client.post(f"/staff/notices/{draft.pk}/publish/", data)
    assert response.status_code == 400 and message in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_publishing_twice_sends_once(staff_client):
    draft = nf.publication(state="draft")
    factories.clinic_user(factories.clinic())
    staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    assert len(mail.outbox) == 1


def test_it_withdraws_a_notice(staff_client):
    live = nf.publication(state="live")
    response = staff_client.post(f"/staff/notices/{live.pk}/withdraw/")
    live.refresh_from_db()
    assert response.status_code == 302
    assert live.status == "withdrawn" and live.withdrawn_at is not None


def test_staff_of_another_association_can_neither_see_nor_publish(client):
    draft = nf.publication("東京都", state="draft")
    live = nf.publication("東京都", state="live", title="東京の公開中")
    factories.clinic_user(factories.clinic())
    client.force_login(factories.staff("大阪府"))
    assert client.get(f"/staff/notices/{draft.pk}/").status_code == 404
    assert client.get(f"/staff/notices/{draft.pk}/edit/").status_code == 404
    assert client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"}).status_code == 404
    assert client.post(f"/staff/notices/{live.pk}/withdraw/").status_code == 404
    upload = nf.upload()
    assert client.post(f"/staff/notices/{draft.pk}/attachments/", {"file": upload}).status_code == (
        404
    )
    assert "東京の公開中" not in client.get("/staff/notices/").content.decode()
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.is_draft and live.is_live and not draft.attachments.exists()
    assert mail.outbox == []


def test_a_new_notice_always_goes_to_the_staffs_own_association(client):
    client.force_login(factories.staff("大阪府"))
    client.post(
        "/staff/notices/new/",
        {
            "title": "x",
            "cover_message": "y",
            "body": "z",
            "association": factories.association("東京都").pk,
        },
    )
    assert Publication.objects.get().association.prefecture == "大阪府"


@pytest.mark.parametrize(
    "url",
    [
        "/staff/notices/",
        "/staff/notices/new/",
        "/staff/notices/{pk}/",
        "/staff/notices/{pk}/edit/",
    ],
)
def test_it_is_for_staff_only(client, url):
    draft = nf.publication(state="draft")
    url = url.format(pk=draft.pk)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert "/accounts/login/" in client.get(url).url
    client.force_login(factories.clinic_user())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/staff/notices/"),
        ("post", "/staff/notices/{pk}/"),
        ("get", "/staff/notices/{pk}/publish/"),
        ("get", "/staff/notices/{pk}/withdraw/"),
        ("get", "/staff/notices/{pk}/attachments/"),
        ("put", "/staff/notices/new/"),
    ],
)
def test_it_rejects_wrong_methods(staff_client, method, url):
    draft = nf.publication(state="draft")
    response = getattr(staff_client, method)(url.format(pk=draft.pk))
    assert response.status_code == 405


def test_post_only_views_send_anonymous_people_to_login(client):
    draft = nf.publication(state="draft")
    response = client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
