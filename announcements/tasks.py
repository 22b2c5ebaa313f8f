"""Background tasks (settings.TASKS): e-mail to many members is sent by the worker, not inside
the staff's request (a notice to a thousand clinics would outlast the request's time limit and
stop half-sent)."""

import contextlib

from django.core.mail import EmailMessage, mailers
from django.tasks import task


@task
def send_emails(messages: list[list], publication_id: int | None = None) -> int:
    """Send (subject, body, from, recipients) messages over one connection; how many went.

    A message that fails does not stop the others. If any failed, the addresses not reached are
    recorded on the notice (``publication_id``), whose staff see it and can send again, and the
    task fails with the last error (so its result and the log say so too)."""
    unsent_to, failure = [], None
    connection = mailers.default
    try:
        connection.open()
    except Exception as error:  # no mail server: none can go
        unsent_to, failure = [address for *_, to in messages for address in to], error
    else:
        for subject, body, from_email, to in messages:
            try:
                connection.send_messages([EmailMessage(subject, body, from_email, to)])
            except Exception as error:  # this one only: an address refused, a bad header
                unsent_to, failure = unsent_to + to, error
        with contextlib.suppress(Exception):  # what went, went
            connection.close()
    if failure is None:
        return len(messages)
    if publication_id is not None:
        from .services import publication_unsent_add  # services queue this task

        publication_unsent_add(publication_id=publication_id, addresses=unsent_to)
    raise failure
