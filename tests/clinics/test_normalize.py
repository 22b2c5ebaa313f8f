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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("青葉\x07内科", "青葉内科", id="BEL"),
        pytest.param("青葉\u200b内科\ufeff", "青葉内科", id="幅のない空白とBOM"),
        pytest.param("青葉\u2066内科\u2069", "青葉内科", id="方向の分離"),
        pytest.param("葛\U000e0100飾", "葛\U000e0100飾", id="異体字セレクタは残す"),
    ],
)
def test_text_drops_every_control_and_format_character(raw, expected):
    assert normalize.text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("一行目\r\n二行目\r三行目\n", "一行目\n二行目\n三行目", id="改行はLFに"),
        pytest.param("一行目\u2028二行目", "一行目\n二行目", id="Unicodeの改行"),
        pytest.param("（全角）\x1b\u202e", "（全角）", id="幅はそのまま"),
        pytest.param("字下げ\tあり", "字下げ\tあり", id="タブは残す"),
    ],
)
def test_lines_keep_line_breaks_and_drop_invisible_characters(raw, expected):
    assert normalize.lines(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("40", 40, id="半角"),
        pytest.param("４０人", 40, id="全角と単位"),
        pytest.param("１，２３４", 1234, id="全角の桁区切り"),
        pytest.param("1,234,567", 1234567, id="桁区切り"),
        pytest.param(" 7 ", 7, id="空白"),
        pytest.param("", None, id="空欄"),
    ],
)
def test_whole_number_reads_what_people_type(raw, expected):
    assert normalize.whole_number(raw, units=("人",)) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("1,2,3", id="3桁ごとでない区切り"),
        pytest.param("12,34", id="区切りの位置"),
        pytest.param(",123", id="先頭の区切り"),
        pytest.param("1_000", id="下線"),
        pytest.param("٣", id="アラビア数字"),
        pytest.param("三十", id="漢数字"),
        pytest.param("-1", id="負の数"),
        pytest.param("1.5", id="小数"),
        pytest.param("9" * 5000, id="桁が多すぎる"),
    ],
)
def test_whole_number_refuses_what_is_not_a_well_formed_number(raw):
    with pytest.raises(ValueError):
        normalize.whole_number(raw)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("三十", 30),
        ("三十人", 30),
        ("二百五", 205),
        ("百二十", 120),
        ("千二百三十四", 1234),
        ("一〇", 10),
        ("十", 10),
        ("三四十", None),
        ("30", None),
        ("たくさん", None),
        ("", None),
    ],
)
def test_a_headcount_in_kanji_is_read(text, number):
    assert normalize.kanji_number(text) == number
