import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from clinics.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db


def invite(client, **data):
    client.force_login(factories.staff())
    return client.post("/staff/invitations/new/", {"email": "new@example.jp"} | data)


def link_in_last_mail() -> str:
    return re.search(r"http://testserver(/invite/\S+/)", mail.outbox[-1].body).group(1)


def test_staff_invite_a_clinic_by_email(client):
    response = invite(client, clinic_name="みどり小児科")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@example.jp"]
    assert "東京都医師会" in mail.outbox[-1].subject
    assert "みどり小児科" in mail.outbox[-1].body


def test_the_invited_person_sets_a_password_and_lands_on_the_profile(client):
    invite(client, clinic_name="みどり小児科")
    link = link_in_last_mail()
    client.logout()
    response = client.post(
        link,
        {"name": "緑 花子", "password1": "midori-2026-kodomo", "password2": "midori-2026-kodomo"},
    )
    assert response.status_code == 302 and response.url == "/clinic/profile/"
    user = User.objects.get(email="new@example.jp")
    assert user.clinic.name == "みどり小児科"
    assert user.clinic.association.prefecture == "東京都"
    assert client.get("/clinic/profile/").status_code == 200


def test_the_link_works_once(client):
    invite(client)
    link = link_in_last_mail()
    client.logout()
    data = {"name": "緑 花子", "password1": "midori-2026-kodomo", "password2": "midori-2026-kodomo"}
    client.post(link, data)
    client.logout()
    response = client.get(link)
    assert response.status_code == 404
    assert "この招待リンクは使えません" in response.content.decode()


def test_an_expired_link_does_not_work(client):
    invite(client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    assert client.get(link_in_last_mail()).status_code == 404


def test_mismatched_passwords_are_named_and_nothing_is_created(client):
    invite(client)
    link = link_in_last_mail()
    client.logout()
    response = client.post(
        link,
        {"name": "緑 花子", "password1": "midori-2026-kodomo", "password2": "different-pass-1"},
    )
    assert "パスワードが一致しません" in response.content.decode()
    assert 'value="緑 花子"' in response.content.decode()
    assert not User.objects.filter(email="new@example.jp").exists()


def test_staff_cannot_invite_into_another_associations_clinic(client):
    other = factories.clinic(prefecture="大阪府")
    response = invite(client, clinic=other.pk)
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_an_existing_address_is_refused(client):
    factories.clinic_user()
    existing = User.objects.filter(clinic__isnull=False).first().email
    response = invite(client, email=existing)
    assert "すでに登録されています" in response.content.decode()


def test_inviting_is_for_staff_only(client):
    client.force_login(factories.clinic_user())
    assert client.get("/staff/invitations/new/").status_code == 403
