import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_frames_with_rates_caps_deadlines_and_sources(client):
    response = client.get("/rules/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "通常枠",
        "インボイス対応類型",
        "電子取引類型",
        "セキュリティ対策推進枠",
        "複数者連携デジタル化・AI導入枠",
        "2/3",
        "4/5",
        "4,500,000円",
        "2026年8月25日",
        "通常枠の概要 4. 補助額・補助率",
        "公募要領で要確認",
    ]:
        assert text in html, text


def test_it_rejects_post(client):
    assert client.post("/rules/").status_code == 405
