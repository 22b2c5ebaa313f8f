"""Bad input fuzzing (issue 9): hypothesis throws huge and negative numbers, NaN and inf text,
control characters, very long strings, several values where one is expected, full-width and odd
Unicode, empty values and broken files at every form and at ``manage.py evaluate``.

What must hold: no 500 and no traceback; a refusal answers with a Japanese message that names
the field; and nothing saved before is lost or changed by a refused submission.

Shared here: the strategies and the checks the three modules use.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

# Hiragana, katakana (full and half width), CJK ideographs and full-width forms.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff9f]")

# `make test` runs each property with the examples its decorator names; `make fuzz` sets
# FUZZ_FACTOR (10) and runs every property with that many times as many.
FUZZ_FACTOR = int(os.environ.get("FUZZ_FACTOR") or 1)


def examples(count: int) -> int:
    """How many examples a property runs: ``count`` in the everyday suite, more under make fuzz."""
    return count * FUZZ_FACTOR


VIEW_SETTINGS = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
PARSER_SETTINGS = settings(max_examples=examples(200), deadline=None)

NASTY_TEXTS = [
    "",
    " ",
    "\u3000",
    "0",
    "-0",
    "-1",
    "-５",
    "１．５",
    str(10**30),
    str(-(10**30)),
    "9" * 400,
    "1e309",
    "1E-30",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "0x1F",
    "1_000",
    "\x00",
    "a\x00b",
    "\x1b[31m赤\x1b[0m",
    "\u202eabc",
    "\ufeff",
    "\u200b",
    "\r\n",
    "\t\t",
    "😀🏥",
    "ｱｲｳｴｵ",
    "ﾃｽﾄﾅｲｶｸﾘﾆｯｸ",
    "１２３",
    "１２０万円",
    "٣٤٥",  # Arabic-Indic digits: \d in Python's re, not ASCII
    "١٢٣٤٥٦٧",
    "٠٣١٢٣٤٥٦٧٨",
    "①②③",
    "Ⅻ",
    "〒",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "{{ 7|add:7 }}",
    "%(value)s %s {0}",
    "x" * 10_001,
    "あ" * 10_001,
]

# Text without lone surrogates (a browser cannot send them).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)

nasty_text = st.one_of(
    st.sampled_from(NASTY_TEXTS),
    any_text,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789０１２３４５６７８９,，.万円¥-ー－ 人か月", max_size=25),
)


def nasty_value(valid=None):
    """One value of a form field: a nasty text, several values where one is expected (the
    browser sends a list), or (when given) a valid value, so later checks are reached too."""
    options = [nasty_text, st.lists(nasty_text, min_size=2, max_size=3)]
    if valid is not None:
        options.insert(0, valid if isinstance(valid, st.SearchStrategy) else st.just(valid))
    return st.one_of(*options)


def outcome(response) -> None:
    """Counted in ``--hypothesis-show-statistics``: how many examples were saved or refused."""
    event("saved" if response.status_code == 302 else f"refused ({response.status_code})")


_DROP = object()


def form_data(fields: dict) -> st.SearchStrategy[dict]:
    """A POST body: the valid values of ``fields`` (a value or a strategy each) with up to four
    of them replaced by a nasty value, several values, or left out; sometimes an unknown field
    too. Shrinks towards the valid body, so a failure shows the one change that matters."""
    valid = st.fixed_dictionaries(
        {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in fields.items()}
    )
    changes = st.dictionaries(
        st.sampled_from([*fields, "unexpected"]),
        st.one_of(nasty_value(), st.just(_DROP)),
        max_size=4,
    )

    def apply(body: dict, changed: dict) -> dict:
        body = body | changed
        return {k: v for k, v in body.items() if v is not _DROP}

    return st.builds(apply, valid, changes)


@contextmanager
def rolled_back():
    """Each example starts from the same saved world: its writes are rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def html_of(response) -> str:
    return response.content.decode()


def is_japanese(message: str) -> bool:
    return bool(JAPANESE.search(str(message)))


def assert_field_errors_named(html: str, form) -> None:
    """Every error of a refused form is in Japanese and shown with the field's label: in the
    error summary (「label：error」) or inside the field's own group (label, then the error)."""
    forms = getattr(form, "forms", None)
    each = forms if forms is not None else [form]
    shown = 0
    for one in each:
        for message in one.non_field_errors():
            assert is_japanese(message), message
            assert escape(message) in html, message
            shown += 1
        for bound in one:
            for message in bound.errors:
                assert is_japanese(message), f"{bound.label}: {message}"
                label, text = escape(bound.label), escape(message)
                if f"{label}：{text}" in html:
                    shown += 1
                    continue
                start = html.find(f'id="{bound.auto_id}_field"')  # forms/field.html
                if start < 0:
                    start = html.find(f'for="{bound.id_for_label}"')  # a table cell's label
                assert start >= 0, f"{bound.label} is not shown with its error {message}"
                at = html.find(text, start)
                assert at >= 0, f"{bound.label}: {message} is not shown"
                assert label in html[start:at], f"{bound.label} is not next to {message}"
                shown += 1
    if forms is not None:
        for message in form.non_form_errors():
            assert is_japanese(message), message
            assert escape(message) in html, message
            shown += 1
    assert shown, "a refused form shows no error"
