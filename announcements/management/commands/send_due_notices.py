"""E-mail the members of scheduled notices that have become due.

In production this runs from cron, e.g. every five minutes:

    */5 * * * *  cd /srv/hojokin-navi && .venv/bin/python manage.py send_due_notices

It is idempotent: each notice records ``notified_at`` when its e-mail goes out, so a notice is
never sent twice however often the command runs. A notice published "now" is handed to the
task worker by the request that publishes it; this command only catches up scheduled ones, and
hands their e-mail to the worker the same way (announcements.tasks)."""

from django.core.management.base import BaseCommand

from announcements.services import due_publications_notify


class Command(BaseCommand):
    help = "公開日時を迎えた予約済みのお知らせを、会員の医療機関の利用者にメールで知らせます。"

    def handle(self, *args, **options):
        sent = due_publications_notify()
        for publication, count in sent:
            self.stdout.write(
                f"{publication.association.name}「{publication.title}」: {count}通を送ります。"
            )
        if not sent:
            self.stdout.write("送るお知らせはありません。")
