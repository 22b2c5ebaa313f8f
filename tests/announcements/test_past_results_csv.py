"""GET /past-results/<table>.csv: UTF-8 with BOM for Excel, Japanese headers, one row a line."""

import csv
import io

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def logged_in(client):
    client.force_login(User.objects.create_user("x@example.jp", "pw"))
    return client


def rows(response) -> list[list[str]]:
    assert response.content.startswith(BOM)
    text = response.content[len(BOM) :].decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text)))


def test_it_downloads_frames_with_rates(logged_in):
    response = logged_in.get("/past-results/frames.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert rows(response) == [
        [
            "申請類型",
            "2024年 申請件数",
            "2024年 採択件数",
            "2024年 採択率(%)",
            "2025年 申請件数",
            "2025年 採択件数",
            "2025年 採択率(%)",
        ],
        ["通常枠", "25140", "16540", "65.8", "23672", "8936", "37.7"],
        ["インボイス対応類型", "46394", "33438", "72.1", "56029", "25900", "46.2"],
        ["電子取引類型", "1", "1", "100.0", "0", "0", ""],
        ["複数社連携IT導入枠", "7", "4", "57.1", "8", "6", "75.0"],
        ["セキュリティ対策推進枠", "225", "192", "85.3", "730", "360", "49.3"],
        ["合計", "71767", "50175", "69.9", "80439", "35202", "43.8"],
    ]


def test_it_downloads_prefectures_with_the_printed_total(logged_in):
    table = rows(logged_in.get("/past-results/prefectures.csv"))
    assert table[0] == ["所在地", "2024年 採択件数", "2025年 採択件数"]
    assert len(table) == 1 + 47 + 1
    assert ["東京都", "8585", "6114"] in table
    assert table[-2] == ["沖縄県", "755", "766"]
    assert table[-1] == ["総計", "50171", "35196"]


def test_it_downloads_industries_headcounts_and_amounts(logged_in):
    industries = rows(logged_in.get("/past-results/industries.csv"))
    assert ["医療、福祉", "3941", "7.9", "2634", "7.5"] in industries
    assert len(industries) == 13
    headcounts = rows(logged_in.get("/past-results/headcounts.csv"))
    assert headcounts[1] == ["5名未満", "20432", "40.7", "16808", "47.8"]
    amounts = rows(logged_in.get("/past-results/amounts.csv"))
    assert amounts[-1] == ["450万円", "105", "0.2", "54", "0.2"]


def test_it_404s_for_an_unknown_table(logged_in):
    assert logged_in.get("/past-results/nothing.csv").status_code == 404


def test_it_requires_login(client):
    response = client.get("/past-results/frames.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_rejects_post(logged_in):
    assert logged_in.post("/past-results/frames.csv").status_code == 405
