"""Clinic users read their association's published, due notices; opening one records a read
receipt, once per person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from announcements import services
from announcements.models import Publication, ReadReceipt
from announcements.selectors import publication_read_counts, unread_count
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = factories.clinic_user(factories.clinic())
    client.force_login(user)
    return user


def test_it_lists_the_associations_live_notices_newest_first(client, member):
    now = timezone.now()
    nf.publication(title="古いお知らせ", publish_at=now - timedelta(days=3))
    nf.publication(title="新しいお知らせ", publish_at=now - timedelta(hours=1))
    nf.publication(title="下書きのお知らせ", state="draft")
    nf.publication(title="予約のお知らせ", state="scheduled")
    nf.publication(title="取り下げたお知らせ", state="withdrawn")
    nf.publication("大阪府", title="大阪のお知らせ")
    html = client.get("/notices/").content.decode()
    assert html.index("新しいお知らせ") < html.index("古いお知らせ")
    for hidden in ("下書き", "予約の", "取り下げた", "大阪の"):
        assert hidden not in html


def test_unread_notices_are_marked_in_words_until_opened(client, member):
    publication = nf.publication(title="補助金のご案内")
    html = client.get("/notices/").content.decode()
    assert "未読" in html and "既読" not in html
    assert 'お知らせ <span class="nav-count">未読1件</span>' in html
    client.get(f"/notices/{publication.pk}/")
    html = client.get("/notices/").content.decode()
    assert "既読" in html and 'class="badge badge-unread"' not in html
    assert unread_count(user=member) == 0


def test_opening_a_notice_twice_counts_once(client, member):
    publication = nf.publication()
    colleague = factories.clinic_user(member.clinic)
    assert client.get(f"/notices/{publication.pk}/").status_code == 200
    assert client.get(f"/notices/{publication.pk}/").status_code == 200
    client.force_login(colleague)
    client.get(f"/notices/{publication.pk}/")
    assert ReadReceipt.objects.filter(publication=publication, user=member).count() == 1
    assert publication_read_counts(publication=publication) == {"clinics": 1, "users": 2}


def test_a_withdrawn_notice_disappears_for_members(client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publication = nf.publication(title="取り下げ予定のお知らせ")
    attachment = publication.attachments.create(
        file="notices/x.pdf", original_name="a.pdf", content_type="application/pdf", size=1
    )
    assert client.get(f"/notices/{publication.pk}/").status_code == 200
    staff = factories.staff("東京都")
    client.force_login(staff)
    client.post(f"/staff/notices/{publication.pk}/withdraw/", follow=True)
    client.force_login(member)
    assert "取り下げ予定のお知らせ" not in client.get("/notices/").content.decode()
    assert client.get(f"/notices/{publication.pk}/").status_code == 404
    url = f"/notices/{publication.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 404


def test_a_scheduled_notice_appears_only_when_due(client, member):
    publication = nf.publication(title="来週のお知らせ", state="scheduled")
    assert "来週のお知らせ" not in client.get("/notices/").content.decode()
    assert client.get(f"/notices/{publication.pk}/").status_code == 404
    assert unread_count(user=member) == 0
    publication.publish_at = timezone.now() - timedelta(seconds=1)  # the time has come
    publication.save()
    assert "来週のお知らせ" in client.get("/notices/").content.decode()
    assert client.get(f"/notices/{publication.pk}/").status_code == 200


def test_a_clinic_of_another_association_sees_nothing(client):
    publication = nf.publication("東京都", title="東京都医師会だけのお知らせ")
    client.force_login(factories.clinic_user(factories.clinic(prefecture="大阪府")))
    assert "東京都医師会だけのお知らせ" not in client.get("/notices/").content.decode()
    assert client.get(f"/notices/{publication.pk}/").status_code == 404
    assert not ReadReceipt.objects.exists()


def test_its_own_notice_shows_its_body(client, member):
    publication = nf.publication(with_notice=False, body="第一段落\n\n第二段落")
    html = client.get(f"/notices/{publication.pk}/").content.decode()
    assert "<p>第一段落</p>" in html and "<p>第二段落</p>" in html
    assert "日医発第390号（医経）（情シ）" not in html and "別添：概要" not in html


@pytest.mark.parametrize("url", ["/notices/", "/notices/{pk}/"])
def test_it_is_for_clinic_users(client, url):
    url = url.format(pk=nf.publication().pk)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(factories.staff())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/notices/", "/notices/{pk}/"])
def test_it_rejects_wrong_methods(client, member, url):
    url = url.format(pk=nf.publication().pk)
    assert client.post(url).status_code == 405


def test_the_menus_unread_count_is_cached_and_recounted_when_it_changes(
    member, django_assert_num_queries
):
    """The count on every page is kept for a minute, and cleared by what changes it: opening,
    publishing, withdrawing, and the e-mail of a scheduled notice that has become due."""
    opened = nf.publication(title="開くお知らせ")
    draft = nf.publication(title="これから公開するお知らせ", state="draft")
    scheduled = nf.publication(title="予約のお知らせ", state="scheduled")
    with django_assert_num_queries(1):
        assert unread_count(user=member) == 1
    with django_assert_num_queries(0):
        assert unread_count(user=member) == 1

    services.publication_publish(publication=draft)
    assert unread_count(user=member) == 2
    services.read_receipt_record(publication=opened, user=member)
    assert unread_count(user=member) == 1
    services.publication_withdraw(publication=draft)
    assert unread_count(user=member) == 0

    Publication.objects.filter(pk=scheduled.pk).update(
        publish_at=timezone.now() - timedelta(seconds=1)
    )
    assert unread_count(user=member) == 0  # cached: until the cron job e-mails it, or a minute
    services.due_publications_notify()
    assert unread_count(user=member) == 1


def test_a_colleagues_reading_does_not_change_ones_own_count(member):
    nf.publication()
    colleague = factories.clinic_user(member.clinic)
    assert unread_count(user=member) == unread_count(user=colleague) == 1
    services.read_receipt_record(publication=Publication.objects.get(), user=colleague)
    assert (unread_count(user=member), unread_count(user=colleague)) == (1, 0)
