"""The two importers under bad files: the member list (CSV in UTF-8 or CP932, Excel .xlsx) and
a rule version's JSON document. Random bytes, broken UTF-8 and CP932, a BOM followed by
garbage, a good header followed by random rows, an .xlsx name on something that is not a zip,
mutated rule documents: no 500, a refusal says why in Japanese, and no member or version that
was saved before is lost or changed by a refused file (nor by an upload before it is confirmed).
"""

import codecs
import csv
import io
import json
import math
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clinics.member_files import COLUMNS, ImportFileError, cell_text, decode_text, header_key
from clinics.models import Clinic, MemberImport
from eligibility.engine import parse_rules
from eligibility.models import RuleVersion, RuleVersionEvent
from eligibility.selectors import rule_version_document
from tests import factories
from tests.clinics import hostile_files
from tests.conftest import rules_document

from . import (
    PARSER_SETTINGS,
    VIEW_SETTINGS,
    any_text,
    assert_field_errors_named,
    examples,
    html_of,
    is_japanese,
    nasty_text,
    outcome,
    rolled_back,
)

pytestmark = pytest.mark.django_db

URL = "/staff/members/import/"
HEADERS = [header for _, header, _ in COLUMNS]
GOOD_ROW = [
    "青葉内科クリニック",
    "アオバナイカクリニック",
    "医療法人",
    "8011105000001",
    "青葉 太郎",
    "160-0023",
    "東京都",
    "新宿区西新宿1-2-3",
    "03-1234-5678",
    "40",
    "",
]


# --- member files ------------------------------------------------------------------------------


def csv_text(rows: list[list], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for cells in rows:
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="ignore" if encoding == "cp932" else "strict")


cell = st.one_of(nasty_text, st.sampled_from(GOOD_ROW), st.just(""))
# Printable text (what a spreadsheet keeps), for Excel cells.
xlsx_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30)
xlsx_cell = st.one_of(
    xlsx_text,
    st.sampled_from(GOOD_ROW),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.booleans(),
    st.none(),
)
rows_after_header = st.lists(st.lists(cell, max_size=len(HEADERS) + 2), min_size=0, max_size=6)
header_row = st.one_of(
    st.just(HEADERS),
    st.permutations(HEADERS).map(list),
    st.lists(st.sampled_from([*HEADERS, "備考", "", "ﾌﾘｶﾞﾅ", "ＴＥＬ"]), min_size=1, max_size=12),
)


@st.composite
def member_csv(draw) -> tuple[str, bytes]:
    """A CSV: a header (maybe below a title line), random rows, in some encoding."""
    rows = draw(rows_after_header)
    if draw(st.booleans()):
        rows = [GOOD_ROW, *rows]
    title = [["会員名簿（2026年11月）"]] if draw(st.booleans()) else []
    text = csv_text([*title, draw(header_row), *rows], draw(st.sampled_from([",", "\t"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"]))
    return draw(st.sampled_from(["会員名簿.csv", "members.txt", "x"])), _encode(text, encoding)


@st.composite
def member_xlsx(draw) -> tuple[str, bytes]:
    rows = draw(st.lists(st.lists(xlsx_cell, max_size=len(HEADERS) + 1), max_size=5))
    header = draw(header_row)
    return draw(st.sampled_from(["会員名簿.xlsx", "名簿.XLSX", "members.csv"])), xlsx_bytes(
        [header, GOOD_ROW, *rows]
    )


@st.composite
def broken_file(draw) -> tuple[str, bytes]:
    """Bytes that are not a usable member list, under a usual name."""
    header = ",".join(HEADERS)
    garbage = draw(st.binary(max_size=300))
    content = draw(
        st.sampled_from(
            [
                garbage,  # random bytes
                (header + "\r\n青葉内科").encode("utf-8")[:-1] + garbage,  # broken UTF-8
                header.encode("cp932") + b"\r\n\x82",  # CP932 cut in the middle of a character
                (header + "\r\n").encode("cp932") + b"\x82\x00\xff" + garbage,
                codecs.BOM_UTF8 + garbage,
                codecs.BOM_UTF16_LE + garbage,
                codecs.BOM_UTF16_BE + garbage[:1],
                b"PK\x03\x04" + garbage,  # a zip header, then not a zip
                bytes.fromhex("D0CF11E0A1B11AE1") + garbage,  # an old .xls
                b"",
                header.encode("utf-8"),  # a header and nothing else
                ("\r\n" * 20 + header).encode("utf-8"),
            ]
        )
    )
    name = draw(
        st.one_of(
            st.sampled_from(["会員名簿.xlsx", "会員名簿.csv", "名簿.xls", "a.XLSM", "", "x"]),
            any_text.map(lambda t: t.replace('"', "").replace("\\", "") + ".csv"),
        )
    )
    return name, content


# files built to exhaust the reader: far rows, zip bombs, huge rows, cells and widths
hostile_file = st.sampled_from(list(hostile_files.HOSTILE)).map(
    lambda name: hostile_files.hostile(name)[:2]
)
member_files = st.one_of(member_csv(), member_xlsx(), broken_file(), hostile_file)


@pytest.fixture
def member_world(client):
    staff = factories.staff("東京都")
    kept = [
        factories.clinic(name="青葉内科クリニック", phone="03-1234-5678"),
        factories.clinic(name="さくら耳鼻咽喉科", legal_form="individual", employees=3),
    ]
    client.force_login(staff)
    return staff, kept


def members_state(association_id) -> list[dict]:
    return list(Clinic.objects.filter(association_id=association_id).order_by("pk").values())


@VIEW_SETTINGS
@given(file=member_files, confirm=st.sampled_from(["", "on", None]))
@example(file=("会員名簿.xlsx", b"this is not a zip"), confirm=None)
@example(file=("会員名簿.csv", ",".join(HEADERS).encode("cp932") + b"\r\n\x82"), confirm=None)
@example(file=("会員名簿.csv", codecs.BOM_UTF8 + b"\xff\xfe\x00garbage"), confirm=None)
@example(
    file=("会員名簿.csv", (csv_text([HEADERS, ["9" * 400] * 11, ["\x1b\u202e"] * 11])).encode()),
    confirm="on",
)
def test_a_member_file_is_previewed_or_refused_and_members_change_only_when_confirmed(
    client, member_world, file, confirm
):
    staff, _ = member_world
    name, content = file
    with rolled_back():
        before = members_state(staff.association_id)
        imports = MemberImport.objects.count()
        response = client.post(URL, {"file": SimpleUploadedFile(name or "x", content)})
        outcome(response)
        assert members_state(staff.association_id) == before, "an upload alone changes nothing"
        if response.status_code != 302:
            assert response.status_code == 200
            form = response.context["form"]
            assert form.errors and set(form.errors) == {"file"}
            assert_field_errors_named(html_of(response), form)
            assert MemberImport.objects.count() == imports
            return
        assert client.get(response.url).status_code == 200
        if confirm is None:
            return
        answer = client.post(f"{response.url}confirm/", {"skip_errors": confirm}, follow=True)
        assert answer.status_code == 200
        (message,) = [str(m) for m in answer.context["messages"]]
        assert is_japanese(message)
        after = {c["id"]: c for c in members_state(staff.association_id)}
        for old in before:  # no member lost; a blank cell never erases a stored value
            new = after[old["id"]]
            assert all(new[k] not in ("", None) for k, v in old.items() if v not in ("", None))
        for clinic in Clinic.objects.filter(association_id=staff.association_id):
            clinic.full_clean()
            assert re.fullmatch(r"(|[0-9]{3}-[0-9]{4})", clinic.postal_code)


@VIEW_SETTINGS
@given(value=st.one_of(nasty_text, st.lists(nasty_text, min_size=2, max_size=3)))
def test_a_member_upload_without_a_file_is_refused(client, member_world, value):
    with rolled_back():
        response = client.post(URL, {"file": value})
        assert response.status_code == 200
        assert "ファイルを選んでください" in html_of(response)


@PARSER_SETTINGS
@given(data=st.one_of(st.binary(max_size=200), st.binary(max_size=50).map(codecs.BOM_UTF8.__add__)))
@example(data=b"\x82")
@example(data=codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate in UTF-16
def test_decoding_gives_text_or_a_japanese_refusal(data):
    try:
        text = decode_text(data)
    except ImportFileError as error:
        assert is_japanese(str(error))
    else:
        assert isinstance(text, str) and "\x00" not in text


@PARSER_SETTINGS
@given(value=st.one_of(nasty_text, xlsx_cell))
def test_a_header_key_and_a_cell_always_read_as_text(value):
    assert isinstance(header_key(value), str)
    for name in ("", "postal_code", "phone", "employees"):
        assert isinstance(cell_text(value, name), str)


# --- rule version documents (JSON) -------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**30, -(10**30), 2**63, 2**31, 32768, -1, 0]),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths_of(value, path=()):
    """Every place in a document: the path of keys and indexes to it."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, (*path, index))


DOCUMENT = rules_document()
DOCUMENT_PATHS = [p for p in paths_of(DOCUMENT) if p and p != ("label",)]


def replaced(document, path, value):
    document = json.loads(json.dumps(document))
    *head, last = path
    target = document
    for key in head:
        target = target[key]
    target[last] = value
    return document


def at(document, path):
    for key in path:
        document = document[key]
    return document


def value_like(original) -> st.SearchStrategy:
    """Half of the time a value of the same JSON type (so the change may be accepted and go on
    to be saved), else any JSON value."""
    if isinstance(original, bool):
        same = st.booleans()
    elif isinstance(original, int):
        same = st.one_of(
            st.integers(min_value=-(10**30), max_value=10**30),
            st.sampled_from([0, 1, 2**15, 2**31, 2**63, 10**30]),
        )
    elif isinstance(original, str):
        same = nasty_text
    else:
        same = json_values
    return st.one_of(same, json_values)


@st.composite
def rule_files(draw) -> bytes:
    """A rule document with one to three places changed (new label, so it could be imported),
    or no document at all."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "json", "bytes"]))
    if kind == "bytes":
        return draw(
            st.one_of(
                st.binary(max_size=200),
                st.just(b'{"label": "2026.9", "format": ' + b"9" * 5000 + b"}"),
                st.just(b"[" * 50_000),
                st.just(codecs.BOM_UTF8 + b"\x82\xa0"),
                st.just(json.dumps(DOCUMENT, ensure_ascii=False).encode("cp932")[:-1]),
            )
        )
    if kind == "json":
        return json.dumps(draw(json_values), ensure_ascii=False).encode("utf-8")
    labels = st.sampled_from(["2026.9", "2026.9", "2026.9", "2026.1", "", "x" * 30])
    document = DOCUMENT | {"label": draw(labels)}
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(DOCUMENT_PATHS))
        try:
            document = replaced(document, path, draw(value_like(at(DOCUMENT, path))))
        except (KeyError, IndexError, TypeError):  # the place went with an earlier change
            continue
    text = json.dumps(document, ensure_ascii=False, allow_nan=True)
    return text.encode("utf-8")


@pytest.fixture
def admin_client(client):
    client.force_login(factories.rule_admin())
    return client


def versions_state() -> list[tuple]:
    return [
        (v.pk, v.label, v.status, rule_version_document(version=v))
        for v in RuleVersion.objects.order_by("pk")
    ]


def _doc(**changes) -> bytes:
    document = DOCUMENT | {"label": "2026.9"}
    for path, value in changes.items():
        document = replaced(
            document, tuple(int(p) if p.isdigit() else p for p in path.split("__")), value
        )
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@settings(VIEW_SETTINGS, max_examples=examples(60))
@given(content=rule_files())
@example(content=b'{"label": "2026.9", "format": ' + b"9" * 5000 + b"}")
@example(content=b"[" * 50_000)
@example(content=_doc(label=""))
@example(content=_doc(programme="制" * 101))
@example(content=_doc(size_categories__0__employees_max=10**30))
@example(content=_doc(size_categories__0__number=2**40))
@example(content=_doc(frames__0__params__0__value="1/" + "9" * 30))
@example(content=_doc(frames__0__params__0__value="1/" + "9" * 5000))
@example(content=_doc(tools__0__name="道" * 101))
@example(content=_doc(frames__0__rounds__0__source="典" * 301))
@example(content=_doc(tools__0__name="道\x00", programme="制\x00"))
def test_a_rule_file_becomes_a_draft_or_is_refused_with_nothing_changed(admin_client, content):
    with rolled_back():
        before = versions_state()
        events = RuleVersionEvent.objects.count()
        upload = SimpleUploadedFile("rules.json", content, content_type="application/json")
        response = admin_client.post("/rules/admin/import/", {"file": upload})
        outcome(response)
        if response.status_code == 302:
            draft = RuleVersion.objects.latest("pk")
            assert draft.is_draft and versions_state()[:-1] == before
            parse_rules(rule_version_document(version=draft))
            assert admin_client.get(response.url).status_code == 200
        else:
            assert response.status_code == 400
            html = html_of(response)
            problems = response.context["problems"]
            if not problems:  # the upload itself was refused (e.g. an empty file)
                assert_field_errors_named(html, response.context["import_form"])
            for problem in problems:
                assert is_japanese(problem), problem
                assert escape(str(problem)) in html, problem
            assert versions_state() == before
            assert RuleVersionEvent.objects.count() == events


def test_nan_and_infinity_in_a_rule_file_are_refused(admin_client):
    document = DOCUMENT | {"label": "2026.9", "format": math.nan}
    content = json.dumps(document, allow_nan=True).encode()
    upload = SimpleUploadedFile("rules.json", content, content_type="application/json")
    response = admin_client.post("/rules/admin/import/", {"file": upload})
    assert response.status_code == 400 and not RuleVersion.objects.filter(label="2026.9")
