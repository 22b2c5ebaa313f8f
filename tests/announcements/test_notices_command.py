"""`manage.py send_due_notices` (cron): e-mails scheduled notices once they are due, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.announcements import notice_factories as nf

pytestmark = pytest.mark.django_db


def test_it_sends_a_scheduled_notice_once_it_is_due():
    users = [factories.clinic_user(factories.clinic()) for _ in range(2)]
    factories.clinic_user(factories.clinic(prefecture="大阪府"))
    scheduled = nf.publication(state="scheduled")
    call_command("send_due_notices", stdout=None)
    assert mail.outbox == []

    scheduled.publish_at = timezone.now() - timedelta(minutes=1)  # the time has come
    scheduled.save()
    call_command("send_due_notices")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    scheduled.refresh_from_db()
    assert scheduled.notified_at is not None

    call_command("send_due_notices")  # the next cron run
    assert len(mail.outbox) == 2


def test_it_never_sends_drafts_or_withdrawn_notices():
    factories.clinic_user(factories.clinic())
    nf.publication(state="draft")
    nf.publication(state="withdrawn")
    call_command("send_due_notices")
    assert mail.outbox == []
