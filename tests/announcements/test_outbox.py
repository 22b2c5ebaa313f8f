"""The outbox: each e-mail is a row marked sent only once the server accepted it; a worker
that dies leaves the rest for the next delivery, which sends none twice; tasks left RUNNING
by a dead worker are put back (manage.py recover_tasks)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from announcements import outbox
from announcements.models import Email
from announcements.tasks import deliver_emails

pytestmark = pytest.mark.django_db


def emails(*statuses, claimed_ago=None, attempts=0):
    claimed_at = timezone.now() - claimed_ago if claimed_ago is not None else None
    return [
        Email.objects.create(
            to=f"m{i}@example.jp",
            subject=f"件名{i}",
            body="本文",
            status=status,
            attempts=attempts if status == "sending" else 0,
            claimed_at=claimed_at if status == "sending" else None,
        )
        for i, status in enumerate(statuses)
    ]


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_after_a_worker_died_mid_send_the_rest_go_once(settings):
    settings.EMAIL_CLAIM_SECONDS = 60
    # the dead worker sent the first, was sending the second, had not reached the third
    _sent, cut_off, waiting = emails("sent", "sending", "pending", claimed_ago=timedelta(minutes=5))
    assert outbox.emails_waiting() == 2
    assert outbox.emails_deliver() == {"sent": 2, "failed": 0}
    assert sent_to() == [cut_off.to, waiting.to]
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}
    assert outbox.emails_deliver() == {"sent": 0, "failed": 0}  # nothing twice
    assert len(mail.outbox) == 2


def test_an_e_mail_another_worker_is_sending_is_left_to_it(settings):
    settings.EMAIL_CLAIM_SECONDS = 60
    emails("sending", claimed_ago=timedelta(seconds=10))
    assert outbox.emails_waiting() == 0
    assert outbox.emails_deliver() == {"sent": 0, "failed": 0} and mail.outbox == []


def test_an_e_mail_whose_worker_keeps_dying_is_marked_failed(settings):
    settings.EMAIL_CLAIM_SECONDS = 60
    [email] = emails("sending", claimed_ago=timedelta(minutes=5), attempts=outbox.MAX_ATTEMPTS)
    assert outbox.emails_deliver() == {"sent": 0, "failed": 0} and mail.outbox == []
    email.refresh_from_db()
    assert email.status == "failed" and email.error == outbox.ABANDONED


def test_two_workers_never_claim_the_same_e_mail():
    emails("pending", "pending")
    first, second = outbox._claim_next(), outbox._claim_next()  # as two workers would
    assert first.pk != second.pk and outbox._claim_next() is None
    assert {first.status, second.status} == {"sending"} and first.attempts == 1


def test_the_counts_split_sent_pending_and_failed():
    emails("sent", "sent", "pending", "sending", "failed")
    counts = outbox.email_counts(Email.objects.all())
    assert counts == {"sent": 2, "pending": 2, "failed": 1}


@pytest.fixture
def stored_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def running_since(ago: timedelta) -> DBTaskResult:
    result = deliver_emails.enqueue()
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim("dead-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - ago)
    return task


def test_recover_tasks_puts_back_a_task_left_running_by_a_dead_worker(
    settings, stored_tasks, run_ready_tasks, capsys
):
    settings.TASK_LEASE_SECONDS = 600
    stale, recent = running_since(timedelta(minutes=11)), running_since(timedelta(minutes=1))
    call_command("recover_tasks")
    assert "再実行に回しました" in capsys.readouterr().out
    stale.refresh_from_db(), recent.refresh_from_db()
    assert (stale.status, recent.status) == ("READY", "RUNNING")
    [ran] = run_ready_tasks()
    assert ran.pk == stale.pk and ran.status == "SUCCESSFUL"
    assert ran.worker_ids == ["dead-worker", "test"]


def test_recover_tasks_queues_the_delivery_of_waiting_e_mails(stored_tasks, run_ready_tasks):
    emails("pending")
    call_command("recover_tasks")
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    assert len(mail.outbox) == 1
    call_command("recover_tasks")  # nothing waits: nothing queued
    assert run_ready_tasks() == []


def test_recover_tasks_does_nothing_when_tasks_run_in_the_request(capsys):
    call_command("recover_tasks")
    assert "何もしません" in capsys.readouterr().out
