"""The Japan Medical Association's view (issue 22): the funnel per prefecture, counts only, as
a page and a 47-row CSV; templates it publishes that each association makes its own draft of."""

import csv
import io

import pytest

from announcements.models import NationalTemplate, Publication
from tests import factories
from tests.announcements.funnel_world import BY_HAND, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def jma(client):
    user = factories.national_user()
    client.force_login(user)
    return user


def test_the_home_page_leads_to_the_national_view(client, jma):
    assert client.get("/").url == "/national/"


def test_each_prefecture_has_its_counts_and_no_clinic_is_named(client, jma, world):
    page = client.get("/national/").content.decode()
    assert page.count('<th scope="row">') == 48  # 47 prefectures and 全国
    tokyo = page[page.index('<th scope="row">東京都</th>') :].split("</tr>")[0]
    counts = [
        int(cell.split(">")[1].split("<")[0]) for cell in tokyo.split('<td class="num"')[1:-1]
    ]
    assert counts == list(BY_HAND.values())
    assert "テスト内科クリニック" not in page and "66.7%" in page


def test_the_47_rows_download_as_csv(client, jma, world):
    rows = list(
        csv.reader(io.StringIO(client.get("/national/funnel.csv").content.decode("utf-8-sig")))
    )
    assert len(rows) == 48 and rows[0][:3] == ["都道府県", "医師会", "会員"]
    tokyo = next(row for row in rows if row[0] == "東京都")
    assert [int(n) for n in tokyo[2:9]] == list(BY_HAND.values())
    osaka = next(row for row in rows if row[0] == "大阪府")
    assert osaka[2] == "1" and osaka[6] == "1"  # a member that applied
    assert sum(int(row[2]) for row in rows[1:]) == 9


def test_a_template_published_to_every_association_becomes_their_own_draft(client, jma):
    response = client.post(
        "/national/templates/new/",
        {
            "title": "年末の締切のご案内",
            "cover_message": "会員の皆さまへ",
            "body": "第5次の締切は…",
        },
        follow=True,
    )
    assert "ひな形「年末の締切のご案内」を保存しました" in response.content.decode()
    template = NationalTemplate.objects.get()
    staff = factories.staff("大阪府")
    client.force_login(staff)
    assert "年末の締切のご案内" not in client.get("/staff/notices/").content.decode()
    client.force_login(jma)
    client.post(f"/national/templates/{template.pk}/publish/")
    client.force_login(staff)
    assert "日本医師会からのひな形" in client.get("/staff/notices/").content.decode()
    response = client.post(f"/staff/notices/from-template/{template.pk}/", follow=True)
    assert "日本医師会のひな形から下書きを作りました" in response.content.decode()
    draft = Publication.objects.get()
    assert draft.association == staff.association and draft.status == "draft"
    assert (draft.title, draft.body) == ("年末の締切のご案内", "第5次の締切は…")


def test_an_empty_template_names_its_fields(client, jma):
    response = client.post(
        "/national/templates/new/", {"title": "", "cover_message": "", "body": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "件名：" in page and "本文：" in page and not NationalTemplate.objects.exists()


def test_an_unpublished_template_cannot_be_drafted(client, jma):
    template = NationalTemplate.objects.create(title="下書き中", cover_message="x", body="y")
    client.force_login(factories.staff("東京都"))
    assert client.post(f"/staff/notices/from-template/{template.pk}/").status_code == 404
