"""The clinic's share page: its links, and a new one whose URL is shown once."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from sharing.models import ShareLink
from tests import factories

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


def url(screening) -> str:
    return f"/screenings/{screening.pk}/share/"


def shown_url(response) -> str:
    found = re.search(
        r'id="share-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="share-url"',
        response.content.decode(),
    )
    assert found, "no share URL on the page"
    return found.group(1) or found.group(2)


def every_stored_value() -> str:
    """Every value of every table of the project, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)


def test_it_lists_the_links_with_their_dates_and_counts(client, user, screening, shared):
    link, _ = shared
    link.view_count, link.download_count = 3, 1
    link.last_opened_at = timezone.now()
    link.save()
    client.force_login(user)
    page = client.get(url(screening)).content.decode()
    assert "IT導入支援事業者に共有する" in page
    assert "有効期間（日数）" in page and 'value="14"' in page
    assert "ページ 3回・PDF 1回" in page and "最後に開かれた日時：" in page
    assert '<span class="badge badge-eligible">有効</span>' in page
    assert "このURLは今だけ表示されます" not in page


def test_it_creates_a_link_and_stores_only_the_hash_of_its_token(client, user, screening):
    client.force_login(user)
    response = client.post(url(screening), {"days": "30"})
    assert response.status_code == 302  # a reload of the page makes no second link
    response = client.get(response["Location"])
    page = response.content.decode()
    assert "このURLは今だけ表示されます" in page
    shared_url = shown_url(response)
    assert re.fullmatch(r"http://testserver/share/[A-Za-z0-9_-]{43}/", shared_url)
    token = shared_url.rstrip("/").rsplit("/", 1)[1]
    link = ShareLink.objects.get()
    assert link.screening == screening and link.created_by == user
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at - timezone.now() == pytest.approx(
        timedelta(days=30), abs=timedelta(minutes=1)
    )
    assert token not in every_stored_value()


def test_the_url_is_shown_only_right_after_creating_it(client, user, screening):
    client.force_login(user)
    created = client.post(url(screening), {"days": "14"}, follow=True)
    token = shown_url(created).rstrip("/").rsplit("/")[-1]
    page = client.get(url(screening)).content.decode()  # a reload
    assert token not in page and "このURLは今だけ表示されます" not in page
    assert ShareLink.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "days"), [("14", 14), ("１", 1), ("90日", 90)], ids=["default", "full-width", "unit"]
)
def test_it_takes_1_to_90_days(client, user, screening, typed, days):
    client.force_login(user)
    client.post(url(screening), {"days": typed})
    link = ShareLink.objects.get()
    assert link.expires_at - link.created_at == pytest.approx(
        timedelta(days=days), abs=timedelta(seconds=5)
    )


@pytest.mark.parametrize("typed", ["0", "91", "二週間", ""])
def test_it_refuses_other_periods(client, user, screening, typed):
    client.force_login(user)
    response = client.post(url(screening), {"days": typed})
    assert response.status_code == 400
    assert "有効期間は1〜90日の整数で入力してください。" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_it_is_only_for_a_completed_screening(client, user):
    unfinished = factories.completed_screening(user, ANSWERS)
    unfinished.answers = {"legal_form": "medical_corporation"}
    unfinished.save()
    client.force_login(user)
    assert client.get(url(unfinished)).status_code == 404
    assert client.post(url(unfinished), {"days": "14"}).status_code == 404


def test_another_clinic_cannot_list_or_create(client, screening, shared):
    client.force_login(factories.clinic_user())
    assert client.get(url(screening)).status_code == 404
    assert client.post(url(screening), {"days": "14"}).status_code == 404
    assert ShareLink.objects.count() == 1


def test_staff_and_rule_admins_cannot_create(client, screening):
    for person in (factories.staff("東京都"), factories.rule_admin()):
        client.force_login(person)
        assert client.post(url(screening), {"days": "14"}).status_code == 403
        assert client.get(url(screening)).status_code == 403
    assert not ShareLink.objects.exists()


def test_it_asks_to_log_in(client, screening):
    response = client.get(url(screening))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_rejects_other_methods(client, user, screening):
    client.force_login(user)
    assert client.put(url(screening)).status_code == 405


def test_creating_needs_the_csrf_token(user, screening):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(url(screening), {"days": "14"}).status_code == 403
    assert not ShareLink.objects.exists()


def test_the_result_page_leads_clinic_users_here(client, user, screening):
    client.force_login(user)
    page = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert f'href="{url(screening)}"' in page and "IT導入支援事業者に共有する" in page
    client.force_login(factories.staff("東京都"))
    page = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert url(screening) not in page
