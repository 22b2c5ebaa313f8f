"""What a share link opens: the result alone, read-only, without logging in; nothing once the
link has expired or been revoked."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from eligibility.selectors import screening_result, today
from sharing.models import ShareLink
from sharing.services import share_link_revoke
from tests import factories

pytestmark = pytest.mark.django_db

INVALID = "この共有リンクは無効です"


def assert_private_and_unindexed(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex,nofollow">' in response.content.decode()


def test_it_shows_the_result_without_login(client, screening, shared):
    _, token = shared
    response = client.get(f"/share/{token}/")
    assert response.status_code == 200
    page = response.content.decode()
    result = screening_result(screening=screening, as_of=today())
    body = render_to_string(
        "eligibility/result.html#result-body", {"result": result, "screening": screening}
    )
    assert body in page  # the clinic's own result: frames, amounts, reasons, checklist, schedule
    assert "青葉内科クリニック" in page and "セキュリティ対策推進枠" in page
    assert "300,000円" in page and "240,000円" in page and "根拠：" in page and "申請の日程" in page
    assert f'href="/share/{token}/result.pdf"' in page


def test_it_counts_each_opening(client, shared):
    link, token = shared
    client.get(f"/share/{token}/")
    client.get(f"/share/{token}/")
    link.refresh_from_db()
    assert (link.view_count, link.download_count) == (2, 0)
    assert timezone.now() - link.last_opened_at < timedelta(minutes=1)


def test_it_is_never_indexed_cached_or_sent_as_a_referrer(client, shared):
    _, token = shared
    assert_private_and_unindexed(client.get(f"/share/{token}/"))


@pytest.mark.parametrize("who", ["anonymous", "the clinic itself", "staff"])
def test_it_shows_nothing_of_the_clinic_account(client, user, shared, who):
    _, token = shared
    if who == "the clinic itself":
        client.force_login(user)
    elif who == "staff":
        client.force_login(factories.staff("東京都"))
    page = client.get(f"/share/{token}/").content.decode()
    for absent in (
        "/clinic/profile/",
        "/screenings/",
        "/notices/",
        "/staff/",
        "/accounts/",
        "ログアウト",
        "<form",
        "csrfmiddlewaretoken",
        "回答を見直す",
        "メールで知らせてほしい",  # the clinic's wish to hear of a new round
    ):
        assert absent not in page, absent


def test_an_expired_link_opens_the_invalid_page_and_is_not_counted(client, shared):
    link, token = shared
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/share/{token}/")
    assert response.status_code == 410
    page = response.content.decode()
    assert INVALID in page and "新しいリンクの発行をご依頼ください" in page
    assert "青葉内科クリニック" not in page
    assert_private_and_unindexed(response)
    link.refresh_from_db()
    assert (link.view_count, link.last_opened_at) == (0, None)


def test_a_revoked_link_opens_the_invalid_page_and_is_not_counted(client, shared):
    link, token = shared
    share_link_revoke(link=link)
    response = client.get(f"/share/{token}/")
    assert response.status_code == 410 and INVALID in response.content.decode()
    link.refresh_from_db()
    assert (link.view_count, link.last_opened_at) == (0, None)


def test_an_unknown_token_opens_the_same_page(client, shared):
    response = client.get("/share/" + "A" * 43 + "/")
    assert response.status_code == 404 and INVALID in response.content.decode()
    assert_private_and_unindexed(response)


def test_a_screening_no_longer_complete_is_not_shown(client, screening, shared):
    _, token = shared
    screening.answers = {"legal_form": "medical_corporation"}
    screening.save()
    response = client.get(f"/share/{token}/")
    assert response.status_code == 410 and INVALID in response.content.decode()


def test_it_rejects_post(client, shared):
    _, token = shared
    assert client.post(f"/share/{token}/").status_code == 405
