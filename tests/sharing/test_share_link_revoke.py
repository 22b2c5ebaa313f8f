"""Revoking a share link: POST only, the clinic's own users only, and the link stops opening."""

import pytest
from django.test import Client

from sharing.models import ShareLink
from tests import factories

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


def url(link) -> str:
    return f"/screenings/{link.screening_id}/share/{link.pk}/revoke/"


def test_it_revokes_the_link(client, user, shared):
    link, token = shared
    client.force_login(user)
    response = client.post(url(link), follow=True)
    assert response.redirect_chain == [(f"/screenings/{link.screening_id}/share/", 302)]
    page = response.content.decode()
    assert "共有リンクを無効にしました。" in page and "無効にしました</span>" in page
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(f"/share/{token}/").status_code == 410


def test_revoking_again_keeps_the_first_time(client, user, shared):
    link, _ = shared
    client.force_login(user)
    client.post(url(link))
    first = ShareLink.objects.get().revoked_at
    client.post(url(link))
    assert ShareLink.objects.get().revoked_at == first


def test_it_rejects_get(client, user, shared):
    link, _ = shared
    client.force_login(user)
    assert client.get(url(link)).status_code == 405
    assert ShareLink.objects.get().revoked_at is None


def test_another_clinic_cannot_revoke(client, shared):
    link, _ = shared
    client.force_login(factories.clinic_user())
    assert client.post(url(link)).status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_a_link_is_revoked_only_under_its_own_screening(client, user, shared):
    link, _ = shared
    other = factories.completed_screening(user, ANSWERS, name="B社の見積り")
    client.force_login(user)
    assert client.post(f"/screenings/{other.pk}/share/{link.pk}/revoke/").status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_staff_cannot_revoke(client, shared):
    link, _ = shared
    client.force_login(factories.staff("東京都"))
    assert client.post(url(link)).status_code == 403


def test_revoking_needs_the_csrf_token(user, shared):
    link, _ = shared
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(url(link)).status_code == 403
    assert ShareLink.objects.get().revoked_at is None
