import pytest
from django.forms.models import model_to_dict

from eligibility.models import Screening
from eligibility.selectors import rule_version_published
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/staff/members/"


def test_it_lists_only_the_staffs_own_members(client):
    mine = factories.clinic(name="青葉内科クリニック", name_kana="アオバナイカクリニック")
    other = factories.clinic(prefecture="大阪府", name="なにわ病院", name_kana="ナニワビョウイン")
    client.force_login(factories.staff("東京都"))
    html = client.get(URL).content.decode()
    assert mine.name in html
    assert other.name not in html


def test_it_searches_by_name_or_kana_typed_in_hiragana_or_half_width(client):
    factories.clinic(name="青葉内科クリニック", name_kana="アオバナイカクリニック")
    factories.clinic(name="さくら耳鼻科", name_kana="サクラジビカ")
    client.force_login(factories.staff())
    for query in ["あおば", "ｱｵﾊﾞ", "青葉"]:
        html = client.get(URL, {"q": query}).content.decode()
        assert "青葉内科クリニック" in html and "さくら耳鼻科" not in html, query


def test_it_filters_by_legal_form_and_screening(client):
    screened = factories.clinic(name="確認済みクリニック", legal_form="individual")
    factories.clinic(name="未確認クリニック")
    Screening.objects.create(clinic=screened, name="見積りA", rule_version=rule_version_published())
    client.force_login(factories.staff())
    individual = client.get(URL, {"legal_form": "individual"}).content.decode()
    assert "確認済みクリニック" in individual and "未確認クリニック" not in individual
    done = client.get(URL, {"screened": "yes"}).content.decode()
    assert "確認済みクリニック" in done and "未確認クリニック" not in done
    not_done = client.get(URL, {"screened": "no"}).content.decode()
    assert "未確認クリニック" in not_done and "確認済みクリニック" not in not_done


def test_it_paginates(client):
    for n in range(30):
        factories.clinic(name=f"クリニック{n:02d}", name_kana=f"クリニック{n:02d}")
    client.force_login(factories.staff())
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert "30件（1 / 2ページ）" in first
    assert "クリニック00" in first and "クリニック29" not in first
    assert "クリニック29" in second


def test_it_returns_the_table_alone_to_htmx(client):
    factories.clinic(name="青葉内科クリニック")
    client.force_login(factories.staff())
    html = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="member-table">') and "<html" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("clinic", 403), ("rule_admin", 403)],
)
def test_it_is_for_staff_only(client, who, status):
    if who == "clinic":
        client.force_login(factories.clinic_user())
    elif who == "rule_admin":
        client.force_login(factories.rule_admin())
    assert client.get(URL).status_code == status


def test_staff_edit_their_members_but_not_another_associations(client):
    mine = factories.clinic()
    other = factories.clinic(prefecture="大阪府")
    client.force_login(factories.staff("東京都"))
    assert client.get(f"/staff/members/{mine.pk}/edit/").status_code == 200
    assert client.get(f"/staff/members/{other.pk}/edit/").status_code == 404
    assert client.post(f"/staff/members/{other.pk}/edit/", {"name": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.name != "x"


def test_a_member_in_another_prefecture_is_shown_with_a_warning(client):
    away = factories.clinic(
        name="なにわ内科", prefecture="大阪府", association=factories.association("東京都")
    )
    factories.clinic(name="青葉内科クリニック")
    client.force_login(factories.staff("東京都"))
    warning = "所在地が大阪府です（東京都医師会の会員として登録されています）。"
    listed = client.get(URL).content.decode()
    assert listed.count(warning) == 1 and listed.count("所在地が") == 1
    assert warning in client.get(f"/staff/members/{away.pk}/edit/").content.decode()


def test_a_member_in_the_associations_own_prefecture_gets_no_warning(client):
    home = factories.clinic(name="青葉内科クリニック")
    client.force_login(factories.staff("東京都"))
    assert "所在地が" not in client.get(URL).content.decode()
    assert "所在地が" not in client.get(f"/staff/members/{home.pk}/edit/").content.decode()


def test_staff_may_save_a_member_in_another_prefecture(client):
    member = factories.clinic(name="青葉内科クリニック", legal_form="individual")
    client.force_login(factories.staff("東京都"))
    data = model_to_dict(member, exclude=["id", "association"]) | {"prefecture": "大阪府"}
    response = client.post(f"/staff/members/{member.pk}/edit/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.prefecture == "大阪府"
    html = client.get(response["Location"]).content.decode()
    assert "所在地が大阪府です（東京都医師会の会員として登録されています）。" in html
