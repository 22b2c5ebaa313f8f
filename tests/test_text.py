"""clinics.normalize.fit: composed text kept within its column, the words around it whole."""

import pytest

from clinics.normalize import fit, fit_file_name

SUFFIX = "（2026.2で再確認）"  # 12 characters


@pytest.mark.parametrize(
    ("text", "max_length", "around", "expected"),
    [
        ("A社の見積り", 100, {"after": SUFFIX}, "A社の見積り" + SUFFIX),
        ("あ" * 88, 100, {"after": SUFFIX}, "あ" * 88 + SUFFIX),
        ("あ" * 89, 100, {"after": SUFFIX}, "あ" * 87 + "…" + SUFFIX),
        ("あ" * 100, 100, {"after": SUFFIX}, "あ" * 87 + "…" + SUFFIX),
        ("長い名前", 9, {"before": "ファイル「", "after": "」"}, "ファイル「長い…」"),
        ("", 10, {"before": "【ご案内】"}, "【ご案内】"),
    ],
    ids=["short", "exactly-full", "one-over", "full-name", "both-sides", "empty"],
)
def test_it_cuts_the_text_and_keeps_the_words_around_it(text, max_length, around, expected):
    assert fit(text, max_length, **around) == expected
    assert len(expected) <= max_length


def test_it_refuses_words_that_leave_no_room():
    with pytest.raises(ValueError):
        fit("名前", 5, after=SUFFIX)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("見積り.pdf", "見積り.pdf"),
        ("見" * 20 + ".pdf", "見" * 5 + "….pdf"),
        ("a." + "b" * 20, "a." + "b" * 7 + "…"),
    ],
    ids=["short", "long-keeps-the-extension", "long-extension"],
)
def test_a_file_name_keeps_its_extension(name, expected):
    assert fit_file_name(name, 10) == expected
