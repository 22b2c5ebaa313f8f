"""Take up the work of a task worker that died (kill -9, a lost machine, an OOM kill).

In production this runs from cron, e.g. every five minutes:

    */5 * * * *  cd /srv/hojokin-navi && .venv/bin/python manage.py recover_tasks

The queue (django-tasks-db) has no lease of its own: a task whose worker died stays RUNNING.
This command puts back to READY every task RUNNING for longer than ``TASK_LEASE_SECONDS``
(default 30 minutes; every task here is made short: e-mail goes one message at a time,
re-screens in chunks), so the next free worker runs it again; each of them is safe to run
again (a delivered e-mail is not sent twice, a re-screen chunk commits whole). It also queues a
delivery when e-mails are waiting: pending ones, and those whose sending worker died (their
claim lapses after ``EMAIL_CLAIM_SECONDS``)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils import timezone

from announcements.outbox import emails_waiting
from announcements.tasks import deliver_emails


class Command(BaseCommand):
    help = "止まったワーカーが実行中のままにしたタスクを再実行に回し、未送信のメールを送ります。"

    def handle(self, *args, **options):
        if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
            self.stdout.write("タスクはリクエスト内で実行される設定のため、何もしません。")
            return
        from django_tasks_db.models import DBTaskResult

        lapsed = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS)
        stale = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=lapsed
        ).values_list("pk", "task_path", "started_at")
        for pk, task_path, started_at in stale:
            # only if no worker finished or re-claimed it meanwhile
            if DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.READY):
                self.stdout.write(f"再実行に回しました: {task_path} ({pk}, 開始 {started_at})")
        waiting = emails_waiting()
        if waiting:
            deliver_emails.enqueue()
            self.stdout.write(f"送信待ちのメール{waiting}通の送信を予約しました。")
