"""GET /past-results/: charts with tables and CSV links, the viewer's prefecture highlighted."""

import pytest

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/past-results/"


def test_it_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_the_fall_in_the_adoption_rate(client):
    client.force_login(User.objects.create_user("x@example.jp", "pw"))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "全体の採択率（採択件数÷申請件数）は、IT導入補助金2024の約70%（69.9%）から、"
        "IT導入補助金2025では約44%（43.8%）に下がりました。"
    ) in html
    assert "申請件数は71,767件から80,439件、採択件数は50,175件から35,202件です。" in html
    assert html.count('role="img"') == 5
    assert html.count("<details>") == 5
    for table in ["frames", "prefectures", "industries", "headcounts", "amounts"]:
        assert f'href="/past-results/{table}.csv"' in html
    assert "日医発第390号 添付「概要資料」「IT導入補助金2024」の申請・採択結果" in html
    assert "※いずれも複数社連携IT導入類型の件数を除く" in html
    assert "2024年の総計 50,171件は、申請類型別の採択件数（50,175件）より4件少なく" in html
    assert "▶ 東京都" not in html  # nobody to highlight for a user without a role
    assert "▶ 医療、福祉" in html


def test_it_highlights_the_clinics_prefecture(client):
    client.force_login(factories.clinic_user(factories.clinic(prefecture="沖縄県")))
    html = client.get(URL).content.decode()
    assert "▶ 沖縄県" in html
    assert "<strong>▶ 沖縄県</strong>" in html  # in the table, too
    assert "▶ 東京都" not in html


def test_it_highlights_the_associations_prefecture_for_staff(client):
    client.force_login(factories.staff("東京都"))
    html = client.get(URL).content.decode()
    assert "▶ 東京都" in html
    assert "ご所属の都道府県（東京都）" in html


def test_it_rejects_post(client):
    client.force_login(User.objects.create_user("x@example.jp", "pw"))
    assert client.post(URL).status_code == 405
