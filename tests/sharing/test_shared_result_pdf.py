"""The PDF a share link opens: the clinic's own result PDF, without logging in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.models import ShareLink
from sharing.services import share_link_revoke

pytestmark = pytest.mark.django_db


def test_it_downloads_the_pdf_without_login(client, screening, shared):
    link, token = shared
    response = client.get(f"/share/{token}/result.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="hojokin-navi-HN-{screening.pk:06d}.pdf"'
    )
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    link.refresh_from_db()
    assert (link.view_count, link.download_count) == (0, 1)
    assert link.last_opened_at is not None


def test_it_is_the_same_file_as_the_clinic_downloads(client, user, screening, shared):
    _, token = shared
    shared_pdf = client.get(f"/share/{token}/result.pdf").content
    client.force_login(user)
    assert client.get(f"/screenings/{screening.pk}/result.pdf").content == shared_pdf


def test_an_expired_or_revoked_link_gives_no_pdf_and_is_not_counted(client, shared):
    link, token = shared
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(f"/share/{token}/result.pdf")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert "この共有リンクは無効です" in response.content.decode()
    link.refresh_from_db()
    share_link_revoke(link=link)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(f"/share/{token}/result.pdf").status_code == 410
    link.refresh_from_db()
    assert (link.download_count, link.last_opened_at) == (0, None)
