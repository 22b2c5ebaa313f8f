import pytest

from clinics import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("〒１２３ー４５６７", "123-4567", id="全角と長音記号"),
        pytest.param("1234567", "123-4567", id="ハイフンなし"),
        pytest.param("123‐4567", "123-4567", id="ハイフン類"),
        pytest.param("123−4567", "123-4567", id="マイナス記号"),
        pytest.param(" 〒 123 - 4567 ", "123-4567", id="空白"),
        pytest.param("12345", None, id="桁不足"),
    ],
)
def test_postal_code(raw, expected):
    assert normalize.postal_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("０３－１２３４－５６７８", "03-1234-5678", id="全角"),
        pytest.param("0312345678", "03-1234-5678", id="東京の10桁"),
        pytest.param("(03)1234-5678", "03-1234-5678", id="括弧"),
        pytest.param("09012345678", "090-1234-5678", id="携帯"),
        pytest.param("0451234567", "045-123-4567", id="市外局番3桁"),
        pytest.param("0166-12-3456", "0166-12-3456", id="入力どおりの区切り"),
        pytest.param("1234567890", None, id="0から始まらない"),
        pytest.param("03-1234-567", None, id="9桁"),
    ],
)
def test_phone(raw, expected):
    assert normalize.phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("7000012050002", "7000012050002", id="国税庁の法人番号"),
        pytest.param("７０００－０１２０－５０００２", "7000012050002", id="全角とハイフン"),
        pytest.param("8000012050002", None, id="検査用数字の誤り"),
        pytest.param("700001205000", None, id="12桁"),
    ],
)
def test_corporate_number(raw, expected):
    assert normalize.corporate_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ｱｵﾊﾞﾅｲｶ", "アオバナイカ", id="半角カナ"),
        pytest.param("あおば ないか", "アオバ ナイカ", id="ひらがな"),
        pytest.param("アオバ　ナイカ", "アオバ ナイカ", id="全角空白"),
    ],
)
def test_kana(raw, expected):
    assert normalize.kana(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("青葉\x1b[31m内科", "青葉[31m内科", id="ESC"),
        pytest.param("青葉\u202e科内", "青葉科内", id="右から左への上書き"),
        pytest.param("青葉\t内科\n", "青葉 内科", id="タブと改行は空白"),
    ],
)
def test_text_drops_invisible_controls(raw, expected):
    assert normalize.text(raw) == expected
