"""Background tasks (settings.TASKS): e-mail to many members is sent by the worker, not inside
the staff's request (a notice to a thousand clinics would outlast the request's time limit and
stop half-sent)."""

from django.tasks import task


@task
def deliver_emails() -> dict[str, int]:
    """Send the outbox's waiting e-mails (announcements.outbox); how many were sent and failed."""
    from .outbox import emails_deliver

    return emails_deliver()
