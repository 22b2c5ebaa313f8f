"""When the members' e-mail of a notice could not be sent, its staff see it and send it again,
to the members it did not reach, once."""

from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from announcements.models import Email
from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff("東京都"))
    return client


@pytest.fixture
def worker(settings, run_ready_tasks):
    """E-mail is queued in the database and sent when the worker runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return run_ready_tasks


def server_down():
    """Every attempt to reach the mail server raises."""
    down = SMTPServerDisconnected("Connection unexpectedly closed")
    return mock.patch.multiple(
        EmailBackend,
        open=mock.Mock(side_effect=down),
        send_messages=mock.Mock(side_effect=down),
    )


def refusing(address: str):
    """The mail server refuses one address and takes the others."""
    send_messages = EmailBackend.send_messages

    def send(backend, messages):
        if any(address in message.to for message in messages):
            raise SMTPRecipientsRefused({address: (550, b"refused")})
        return send_messages(backend, messages)

    return mock.patch.object(EmailBackend, "send_messages", send)


@pytest.mark.parametrize("failing", ["server-down", "one-address-refused"])
def test_a_failed_send_is_shown_to_staff_and_sent_again_once(staff_client, worker, failing):
    members = [factories.clinic_user(factories.clinic()) for _ in range(2)]
    draft = nf.publication(state="draft")
    staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    with server_down() if failing == "server-down" else refusing(members[0].email):
        [task] = worker()
    unsent = 2 if failing == "server-down" else 1
    assert task.status == "SUCCESSFUL"  # the e-mails' own rows record the failures
    assert task.return_value == {"sent": 2 - unsent, "failed": unsent}
    assert len(mail.outbox) == 2 - unsent

    page = staff_client.get(f"/staff/notices/{draft.pk}/").content.decode()
    assert f"送信済み {2 - unsent}件・送信待ち 0件・送信失敗 {unsent}件" in page
    assert "送信に失敗しました" in page and f"{unsent}人への送信に失敗しました" in page
    assert members[0].email in page  # which member it did not reach
    assert f'action="/staff/notices/{draft.pk}/resend/"' in page

    response = staff_client.post(f"/staff/notices/{draft.pk}/resend/", follow=True)
    assert f"送信できなかった{unsent}人に、お知らせメールをもう一度送ります" in (
        response.content.decode()
    )
    staff_client.post(f"/staff/notices/{draft.pk}/resend/")  # a second click queues nothing
    assert [task.status for task in worker()] == ["SUCCESSFUL"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)
    assert worker() == []
    page = staff_client.get(f"/staff/notices/{draft.pk}/").content.decode()
    assert "送信に失敗しました" not in page
    assert "送信済み 2件・送信待ち 0件・送信失敗 0件" in page


def test_nothing_is_sent_again_when_every_email_went(staff_client):
    factories.clinic_user(factories.clinic())
    draft = nf.publication(state="draft")
    staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    response = staff_client.post(f"/staff/notices/{draft.pk}/resend/", follow=True)
    assert "もう一度送るメールはありません。" in response.content.decode()
    assert len(mail.outbox) == 1


def test_it_rejects_get(staff_client):
    live = nf.publication(state="live")
    assert staff_client.get(f"/staff/notices/{live.pk}/resend/").status_code == 405


def test_staff_of_another_association_cannot_send_again(client):
    member = factories.clinic_user(factories.clinic())
    live = nf.publication("東京都", state="live", notified_at=timezone.now())
    failed = Email.objects.create(
        publication=live, user=member, to=member.email, subject="件名", body="本文", status="failed"
    )
    client.force_login(factories.staff("大阪府"))
    assert client.post(f"/staff/notices/{live.pk}/resend/").status_code == 404
    failed.refresh_from_db()
    assert failed.status == "failed" and mail.outbox == []


def test_a_member_who_left_is_not_sent_again(staff_client, worker):
    members = [factories.clinic_user(factories.clinic()) for _ in range(2)]
    draft = nf.publication(state="draft")
    staff_client.post(f"/staff/notices/{draft.pk}/publish/", {"when": "now"})
    with server_down():
        worker()
    members[0].is_active = False
    members[0].save()
    response = staff_client.post(f"/staff/notices/{draft.pk}/resend/", follow=True)
    assert "送信できなかった1人に、お知らせメールをもう一度送ります" in response.content.decode()
    worker()
    assert [m.to for m in mail.outbox] == [[members[1].email]]
