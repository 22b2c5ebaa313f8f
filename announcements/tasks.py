"""Background tasks (settings.TASKS): e-mail to many members is sent by the worker, not inside
the staff's request (a notice to a thousand clinics would outlast the request's time limit and
stop half-sent)."""

from django.core.mail import send_mass_mail
from django.tasks import task


@task
def send_emails(messages: list[list]) -> int:
    """Send (subject, body, from, recipients) messages over one connection; how many went."""
    return send_mass_mail([tuple(message) for message in messages])
