"""Accept what people type, store one canonical form.

Full-width digits and letters, half-width kana and the many hyphens of Japanese input methods
all arrive here; NFKC folds the widths and the hyphen family becomes one ASCII hyphen.
"""

from __future__ import annotations

import os
import re
import unicodedata

# Characters people type for a hyphen or a long dash in numbers: ASCII, minus sign, dashes,
# katakana-hiragana prolonged sound mark (when typed between digits), full- and half-width forms.
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe63\uff0d\u30fc\uff70\u2500\u2501"
_HYPHEN_RE = re.compile(f"[{re.escape(HYPHENS)}]")
_SPACES_RE = re.compile(r"\s+")
_LINE_BREAKS_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# What people never mean to type: control characters (Unicode category Cc: ESC, BEL…) and
# format characters (Cf: the bidi overrides U+202A–U+202E and U+2066–U+2069 that make text show
# in another order than it is stored, zero-width spaces, the BOM…). NUL is left for the form
# to refuse by name; tab and line breaks are white space, handled by each kind of field.
_KEPT_CONTROLS = "\x00\t\n"


def nfkc(value: str) -> str:
    """Fold widths (ＡＢＣ１２３ -> ABC123, ｶﾀｶﾅ -> カタカナ) and trim the ends."""
    return unicodedata.normalize("NFKC", value or "").strip()


def visible(value: str) -> str:
    """The text without its invisible characters; every kind of line break becomes LF. Widths
    are not folded (a rule's source quotes the notice's full-width brackets exactly)."""
    value = _LINE_BREAKS_RE.sub("\n", value or "")
    if value.isascii() and value.isprintable():
        return value
    return "".join(
        ch for ch in value if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def text(value: str) -> str:
    """A one-line name or address: NFKC, invisible characters removed, runs of spaces (also
    full-width) and line breaks become one space."""
    return _SPACES_RE.sub(" ", nfkc(visible(value))).strip()


def lines(value: str) -> str:
    """Text of several lines as typed (widths kept): invisible characters removed, line ends
    LF, spaces at the ends of the text removed."""
    return visible(value).strip()


_WHOLE_NUMBER_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")


def whole_number(value: str, *, units: tuple[str, ...] = ()) -> int | None:
    """'１,２３４人' -> 1234 (with units=("人",)), '' -> None. Anything else that is not a
    well-formed number raises ValueError: only the digits 0-9, with thousands separators (if
    any) every three digits ('1,2,3', '1_000' and '٣', which int() would take, are refused)."""
    folded = nfkc(value)
    for unit in units:
        folded = folded.removesuffix(unit)
    folded = folded.strip()
    if not folded:
        return None
    if not _WHOLE_NUMBER_RE.fullmatch(folded):
        raise ValueError(value)
    return int(folded.replace(",", ""))  # ValueError past int()'s 4,300 digits


def digits_and_hyphens(value: str) -> str:
    """NFKC, every hyphen-like character becomes '-', spaces are removed."""
    folded = _HYPHEN_RE.sub("-", nfkc(value))
    return _SPACES_RE.sub("", folded)


def digits(value: str) -> str:
    """Only the digits 0-9: '０３ー１２３４ー５６７８' -> '0312345678'. Other scripts' digits
    (which NFKC keeps and Python's \\d matches, e.g. '٣') are dropped, not stored."""
    return re.sub(r"[^0-9]", "", digits_and_hyphens(value))


def kana(value: str) -> str:
    """Furigana in full-width katakana: half-width kana and hiragana are accepted."""
    folded = text(value)
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in folded)


def is_katakana(value: str) -> bool:
    allowed = re.compile(r"^[\u30a0-\u30ff\u3000 ・ー（）()A-Za-z0-9.&・]+$")
    return bool(allowed.match(value))


def postal_code(value: str) -> str | None:
    """'〒１２３ー４５６７', '1234567' -> '123-4567'; None if it is not seven digits."""
    found = digits(value.replace("〒", ""))
    if len(found) != 7:
        return None
    return f"{found[:3]}-{found[3:]}"


def phone(value: str) -> str | None:
    """A Japanese phone number in its usual forms -> digits with hyphens as typed, or as
    grouped; None if it is not 10 or 11 digits starting with 0."""
    raw = digits_and_hyphens(value).replace("(", "-").replace(")", "-").strip("-")
    raw = re.sub(r"-+", "-", raw)
    found = re.sub(r"[^0-9]", "", raw)
    if not (found.startswith("0") and len(found) in (10, 11)):
        return None
    if "-" in raw and re.fullmatch(r"[0-9]+(-[0-9]+){1,2}", raw):
        return raw
    if len(found) == 11:
        return f"{found[:3]}-{found[3:7]}-{found[7:]}"
    if found.startswith(("03", "06")):
        return f"{found[:2]}-{found[2:6]}-{found[6:]}"
    return f"{found[:3]}-{found[3:6]}-{found[6:]}"


def corporate_number_check_digit(base12: str) -> int:
    """The National Tax Agency's check digit for a 12-digit base number (法人番号の検査用数字):
    9 - (sum of Pn x Qn, n counted from the last digit, Qn = 1 for odd n, 2 for even n) mod 9."""
    total = sum(
        int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1)
    )
    return 9 - total % 9


def corporate_number(value: str) -> str | None:
    """A valid 13-digit 法人番号 (its first digit is the check digit), or None."""
    found = digits(value)
    if len(found) != 13:
        return None
    if int(found[0]) != corporate_number_check_digit(found[1:]):
        return None
    return found


# --- stored text composed from other text (a copy's name, a history line naming a file), kept
# within its column: the composed-in part gives way, our own words around it stay whole --------

ELLIPSIS = "…"


def fit(text: str, max_length: int, *, before: str = "", after: str = "") -> str:
    """``before + text + after`` in at most ``max_length`` characters: when that is too long,
    the end of ``text`` is cut and marked with 「…」. ``before`` and ``after`` are ours and
    short, e.g. fit(name, 100, after="（2026.2で再確認）")."""
    room = max_length - len(before) - len(after)
    if room < 1:
        raise ValueError(f"{before!r} and {after!r} leave no room in {max_length} characters")
    if len(text) > room:
        text = text[: room - 1] + ELLIPSIS
    return f"{before}{text}{after}"


def fit_file_name(name: str, max_length: int) -> str:
    """A file name within ``max_length`` characters, its extension kept (見積り….pdf) unless
    the extension itself is most of it."""
    stem, suffix = os.path.splitext(name)
    if len(suffix) > max_length // 2:
        stem, suffix = name, ""
    return fit(stem, max_length, after=suffix)


_KANJI_DIGITS = dict(zip("〇零一二三四五六七八九", (0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def kanji_number(text: str) -> int | None:
    """三十 -> 30, 二百五 -> 205, 百二十 -> 120, 一〇 -> 10; None unless the whole text (after
    NFKC, without 人 or 名) is a number written in kanji below 10,000."""
    text = re.sub(r"[人名\s]", "", nfkc(text or ""))
    if not text or any(c not in _KANJI_DIGITS and c not in _KANJI_UNITS for c in text):
        return None
    if not any(c in _KANJI_UNITS for c in text):  # digit by digit: 一〇 -> 10
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _KANJI_DIGITS:
            if digit is not None:
                return None  # 三四十: not a number people write
            digit = _KANJI_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * _KANJI_UNITS[c]
            digit = None
    return total + (digit or 0)
