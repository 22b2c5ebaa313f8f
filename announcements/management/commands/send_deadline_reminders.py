"""E-mail the clinics whose result qualifies for a frame, before its round closes.

In production this runs from cron, e.g. every morning (any frequency is safe):

    0 8 * * *  cd /srv/hojokin-navi && .venv/bin/python manage.py send_deadline_reminders

The days come from the published rule version (``reminder_days``, e.g. 14 and 3). Each clinic
gets each reminder of a round once (recorded, with a unique constraint: two runs at the same
moment send it once); clinics that recorded 申請済み for the frame and users who stopped the
reminders get none. The e-mails go through the outbox (the task worker sends them)."""

from django.core.management.base import BaseCommand

from announcements.deadlines import deadline_reminders_send
from eligibility.selectors import rule_set_for, rule_version_published, today


class Command(BaseCommand):
    help = "申請の締切が近い枠について、申請できる医療機関にお知らせメールを送ります。"

    def handle(self, *args, **options):
        version = rule_version_published()
        if version is None:
            self.stdout.write("公開中のルールの版がありません。")
            return
        clinics, emails = deadline_reminders_send(
            rules=rule_set_for(version=version), as_of=today()
        )
        self.stdout.write(f"締切前のお知らせ：{clinics}件の医療機関に{emails}通を送ります。")
