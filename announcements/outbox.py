"""The outbox: e-mail to many members is written as one Email row per address in the caller's
transaction, and the task worker delivers the rows one at a time, each marked sent only once
the mail server has accepted it.

Claims are compare-and-set updates (no row lock is held while the server answers), so any
number of workers can deliver at once on PostgreSQL and SQLite alike. A claim older than
``settings.EMAIL_CLAIM_SECONDS`` belongs to a worker that died: the next delivery takes the
e-mail up again (``manage.py recover_tasks`` queues that delivery from cron)."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an e-mail whose worker died this often while sending it is marked failed
ABANDONED = "送信中に処理が中断されました（送信を試みた回数の上限に達しました）。"


def absolute_url(path: str) -> str:
    """A link inside an e-mail: the site's address and the path."""
    return settings.SITE_URL.rstrip("/") + path


def emails_queue(emails: list[Email]) -> int:
    """Write the e-mails (unsaved Email rows) and queue their delivery in the caller's
    transaction: the worker sees both once it commits, or neither. How many were queued."""
    if not emails:
        return 0
    Email.objects.bulk_create(emails)
    _deliver_later()
    return len(emails)


def _deliver_later() -> None:
    from .tasks import deliver_emails  # the task calls this module

    deliver_emails.enqueue()


def _claim_lapsed_before():
    return timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS)


def _waiting() -> Q:
    """Pending e-mails, and those whose sending worker died (its claim lapsed)."""
    return Q(status=Email.Status.PENDING) | Q(
        status=Email.Status.SENDING, claimed_at__lt=_claim_lapsed_before()
    )


def emails_waiting() -> int:
    return Email.objects.filter(_waiting()).count()


def _give_up_abandoned() -> None:
    """E-mails whose worker died MAX_ATTEMPTS times while sending them are failed."""
    Email.objects.filter(
        status=Email.Status.SENDING,
        claimed_at__lt=_claim_lapsed_before(),
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=Email.Status.FAILED, error=ABANDONED, claimed_at=None)


def _claim_next() -> Email | None:
    """Claim the oldest waiting e-mail for this worker; None when there is none."""
    while True:
        row = (
            Email.objects.filter(_waiting())
            .order_by("pk")
            .values("pk", "status", "claimed_at")
            .first()
        )
        if row is None:
            return None
        claimed = Email.objects.filter(**row).update(
            status=Email.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:  # else another worker took it first: try the next
            return Email.objects.get(pk=row["pk"])


def emails_deliver() -> dict[str, int]:
    """Send every waiting e-mail, one at a time, over one connection. An e-mail the server
    refuses is marked failed with the reason and the others go on. Returns the counts."""
    counts = {"sent": 0, "failed": 0}
    _give_up_abandoned()  # once a delivery: a claim lapses in minutes, not between two e-mails
    connection = mailers.default
    try:
        while (email := _claim_next()) is not None:
            message = EmailMessage(
                email.subject, email.body, None, [email.to], headers=email.headers or None
            )
            try:
                connection.send_messages([message])
            except Exception as error:  # this one only: an address refused, the server down
                logger.warning("email %s to %s failed: %r", email.pk, email.to, error)
                Email.objects.filter(pk=email.pk).update(
                    status=Email.Status.FAILED, error=repr(error)[:1000]
                )
                counts["failed"] += 1
                with contextlib.suppress(Exception):  # the next one opens a fresh connection
                    connection.close()
            else:
                Email.objects.filter(pk=email.pk).update(
                    status=Email.Status.SENT, sent_at=timezone.now(), error=""
                )
                counts["sent"] += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return counts


def email_counts(emails) -> dict[str, int]:
    """How many of these e-mails are sent, pending (incl. being sent) and failed."""
    by_status = dict(emails.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "sent": by_status.get(Email.Status.SENT, 0),
        "pending": by_status.get(Email.Status.PENDING, 0) + by_status.get(Email.Status.SENDING, 0),
        "failed": by_status.get(Email.Status.FAILED, 0),
    }


def emails_retry(emails) -> int:
    """Queue these failed e-mails again (once: a second call finds none failed)."""
    retried = emails.filter(status=Email.Status.FAILED).update(
        status=Email.Status.PENDING, attempts=0, claimed_at=None
    )
    if retried:
        _deliver_later()
    return retried
