"""Every form of the site under bad input: clinic profile (and staff's member edit), invitations,
join requests, the wizard's steps and their htmx previews, screening names, the rule
administration (sections, clone, publish) and the association's notices (write, attach,
publish). No 500; a refusal names the field in Japanese; a refusal changes nothing saved."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.html import escape
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from announcements.models import Attachment, Publication
from announcements.services import notice_jma_ensure
from clinics.models import Association, Clinic, Invitation, JoinRequest
from clinics.normalize import corporate_number_check_digit
from eligibility.engine import parse_rules
from eligibility.forms import MAX_YEN, ScreeningNameForm
from eligibility.models import RuleVersion, RuleVersionEvent, Screening
from eligibility.rules_forms import sections
from eligibility.selectors import rule_set_for, rule_version_document, rule_version_published
from eligibility.services import rule_admin_clone, screening_create
from tests import factories
from tests.announcements import notice_factories
from tests.conftest import rules_document
from tests.factories import section_data

from . import (
    VIEW_SETTINGS,
    assert_field_errors_named,
    examples,
    form_data,
    html_of,
    is_japanese,
    nasty_text,
    nasty_value,
    outcome,
    rolled_back,
)

pytestmark = pytest.mark.django_db

BASE12 = "234567890123"
CORPORATE_NUMBER = f"{corporate_number_check_digit(BASE12)}{BASE12}"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    """Uploads in a folder of this test's own: the last test checks nothing is left in it."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


def row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def as_post(data: dict) -> QueryDict:
    """``data`` as the view receives it (a list is several values of one name)."""
    post = QueryDict(mutable=True)
    for name, value in data.items():
        post.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return post


def assert_refused_with_form(response, form_key="form", status=200):
    assert response.status_code == status, response.status_code
    assert_field_errors_named(html_of(response), response.context[form_key])


# --- the clinic's profile (and the same form as staff's member edit) -------------------------

PROFILE_FIELDS = {
    "name": "青葉内科クリニック",
    "name_kana": st.sampled_from(["アオバナイカ", "あおばないか", "ｱｵﾊﾞﾅｲｶ"]),
    "legal_form": st.sampled_from(
        ["medical_corporation", "individual", "social_welfare_corporation"]
    ),
    "corporate_number": st.sampled_from([CORPORATE_NUMBER, "", "1234567890123"]),
    "representative": "青葉 太郎",
    "postal_code": st.sampled_from(["100-0001", "〒１００ー０００１", "1000001"]),
    "prefecture": "東京都",
    "address": "千代田区千代田1-1",
    "phone": st.sampled_from(["03-1234-5678", "０３（１２３４）５６７８", "09012345678"]),
    "employees": st.sampled_from(["40", "４０人", "0", "1,000"]),
    "insurance_code": st.sampled_from(["", "1234567", "１２３４５６７８９０"]),
}
PROFILE_VALID = {k: v if isinstance(v, str) else "" for k, v in PROFILE_FIELDS.items()} | {
    "name_kana": "アオバナイカ",
    "legal_form": "medical_corporation",
    "corporate_number": CORPORATE_NUMBER,
    "postal_code": "100-0001",
    "phone": "03-1234-5678",
    "employees": "40",
}
CANONICAL = {
    "postal_code": r"(|[0-9]{3}-[0-9]{4})",
    "phone": r"(|0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4})",
    "corporate_number": r"(|[0-9]{13})",
    "insurance_code": r"(|[0-9]{7}|[0-9]{10})",
}


def assert_clinic_canonical(clinic: Clinic) -> None:
    """What a profile save keeps is one canonical form and passes the model's own checks."""
    clinic.full_clean()
    for name, pattern in CANONICAL.items():
        assert re.fullmatch(pattern, getattr(clinic, name)), (name, getattr(clinic, name))
    assert clinic.name == clinic.name.strip() and clinic.name
    assert clinic.employees is not None and 0 <= clinic.employees <= 1_000_000


@pytest.fixture
def profile_world():
    clinic = factories.clinic(name="青葉内科", corporate_number=CORPORATE_NUMBER)
    return clinic, factories.clinic_user(clinic), factories.staff("東京都")


@pytest.mark.parametrize("who", ["clinic", "staff"])
@VIEW_SETTINGS
@given(data=form_data(PROFILE_FIELDS))
@example(data={"employees": str(10**30)})
@example(data={"employees": ["1", "2"], "name": "x" * 10_001})
@example(data=dict.fromkeys(PROFILE_FIELDS, "\x00"))
@example(data=PROFILE_VALID | {"postal_code": "١٢٣٤٥٦٧"})  # Arabic-Indic digits
@example(data=PROFILE_VALID | {"phone": "٠٣-١٢٣٤-٥٦٧٨"})
@example(data=PROFILE_VALID | {"insurance_code": "١٢٣٤٥٦٧"})
def test_profile_saves_canonical_values_or_refuses_and_keeps_the_saved_ones(
    client, profile_world, who, data
):
    clinic, clinic_user, staff = profile_world
    client.force_login(clinic_user if who == "clinic" else staff)
    url = "/clinic/profile/" if who == "clinic" else f"/staff/members/{clinic.pk}/edit/"
    with rolled_back():
        before = row(Clinic, clinic.pk)
        response = client.post(url, data)
        outcome(response)
        if response.status_code == 302:
            assert_clinic_canonical(Clinic.objects.get(pk=clinic.pk))
        else:
            assert_refused_with_form(response)
            assert row(Clinic, clinic.pk) == before


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(
    data=form_data(PROFILE_FIELDS),
    field=st.one_of(st.sampled_from(list(PROFILE_FIELDS)), nasty_text),
)
def test_profile_inline_validation_answers_and_saves_nothing(client, profile_world, data, field):
    clinic, clinic_user, _ = profile_world
    client.force_login(clinic_user)
    with rolled_back():
        before = row(Clinic, clinic.pk)
        response = client.post("/clinic/profile/", data | {"_validate": field}, **HTMX)
        outcome(response)
        assert response.status_code == 200
        assert row(Clinic, clinic.pk) == before


# --- search and paging (GET forms) ------------------------------------------------------------


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(
    data=form_data(
        {
            "q": "青葉",
            "legal_form": "individual",
            "screened": st.sampled_from(["yes", "no", ""]),
            "page": st.sampled_from(["1", "2", "last"]),
        }
    ),
    path=st.sampled_from(["/staff/members/", "/staff/"]),
)
@example(data={"q": "\x00", "page": "9" * 400}, path="/staff/members/")
@example(data={"q": "ｱｵﾊﾞ\x00", "legal_form": "\x00", "screened": "yes"}, path="/staff/members/")
def test_searching_and_paging_answer_whatever_is_asked(client, profile_world, data, path):
    client.force_login(profile_world[2])
    for headers in ({}, HTMX):
        assert client.get(path, data, **headers).status_code == 200


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data({"username": "nobody@example.jp", "password": "wrong-password-2026"}))
@example(data={"username": "a\x00b@example.jp", "password": "\x00"})
def test_logging_in_with_anything_answers_a_page_not_an_error(client, data):
    with rolled_back():
        response = client.post("/accounts/login/", data)
        assert response.status_code in (200, 429), response.status_code
        if response.status_code == 200:
            assert_refused_with_form(response)


# --- invitations and requests to join --------------------------------------------------------


@pytest.fixture
def invitation():
    return Invitation.objects.create(
        association=factories.association("東京都"), email="invitee@example.jp"
    )


@VIEW_SETTINGS
@given(
    data=form_data(
        {
            "name": "青葉 花子",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        }
    )
)
@example(data={"name": "青葉", "password1": "x" * 10_001, "password2": "x" * 10_001})
@example(data={"name": "\x00", "password1": "\x00", "password2": ["a", "b"]})
def test_accepting_an_invitation_creates_the_user_or_refuses_and_creates_nothing(
    client, invitation, data
):
    with rolled_back():
        users = User.objects.count()
        response = client.post(f"/invite/{invitation.token}/", data)
        outcome(response)
        if response.status_code == 302:
            assert User.objects.filter(email="invitee@example.jp").exists()
        else:
            assert_refused_with_form(response)
            assert User.objects.count() == users
            assert row(Invitation, invitation.pk)["accepted_at"] is None


@VIEW_SETTINGS
@given(
    data=form_data(
        {
            "email": "new-member@example.jp",
            "clinic_name": "新しい内科",
            "clinic": st.sampled_from(["", "0", "-1", str(10**30)]),
        }
    )
)
def test_staff_invite_or_refuse_and_send_nothing(client, mailoutbox, data):
    client.force_login(factories.staff("東京都"))
    with rolled_back():
        invitations, sent = Invitation.objects.count(), len(mailoutbox)
        response = client.post("/staff/invitations/new/", data)
        outcome(response)
        if response.status_code == 302:
            assert Invitation.objects.count() == invitations + 1
        else:
            assert_refused_with_form(response)
            assert Invitation.objects.count() == invitations and len(mailoutbox) == sent


@VIEW_SETTINGS
@given(
    data=form_data(
        {
            "association": st.builds(lambda: str(Association.objects.get(prefecture="東京都").pk)),
            "clinic_name": "新しい内科",
            "contact_name": "担当 一郎",
            "email": "join@example.jp",
            "phone": "03-1234-5678",
            "message": "よろしくお願いします。",
        }
    )
)
@example(data={"association": str(10**30), "phone": "9" * 400, "email": "a" * 400 + "@x.jp"})
def test_a_request_to_join_is_kept_or_refused_with_nothing_kept(client, data):
    with rolled_back():
        requests = JoinRequest.objects.count()
        response = client.post("/join/", data)
        outcome(response)
        assert response.status_code == 200
        if "form" in response.context and response.context["form"].errors:
            assert_refused_with_form(response)
            assert JoinRequest.objects.count() == requests
        else:
            kept = JoinRequest.objects.latest("pk")
            kept.full_clean()
            assert re.fullmatch(CANONICAL["phone"], kept.phone)


# --- the wizard --------------------------------------------------------------------------------

ALL_COST_GOALS = ["normal", "invoice", "e_trade", "security"]
SAVED_ANSWERS = {
    "legal_form": "medical_corporation",
    "employees": 40,
    "goals": ALL_COST_GOALS,
    "normal": {
        "tools": ["web_reservation"],
        "purchase_yen": 0,
        "cloud_monthly_yen": 30_000,
        "cloud_months": 24,
        "option_yen": 0,
        "service_yen": 200_000,
    },
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}
MONEY_FIELDS = {"purchase_yen", "cloud_monthly_yen", "option_yen", "service_yen", "pc_yen"}
MONEY_FIELDS |= {"register_yen", "service_monthly_yen"}
MONTH_FIELDS = {"cloud_months", "service_months"}
MONEY = st.sampled_from(["1,200,000", "120万", "１２０万円", "", "0", "¥30,000", "1.5万"])


@pytest.fixture
def wizard_world(client):
    user = factories.clinic_user(factories.clinic(employees=40))
    screening = screening_create(clinic=user.clinic, name="A社の見積り", by=user)
    screening.answers = SAVED_ANSWERS
    screening.step = "wages"
    screening.save()
    client.force_login(user)
    return screening


def _tools_fields() -> dict:
    rules = rule_set_for(version=rule_version_published())
    tools = sorted(rules.tools)
    invoice_tools = sorted(code for code, tool in rules.tools.items() if tool.invoice_function)
    fields = {
        "normal-tools": st.lists(st.sampled_from(tools), min_size=1, max_size=3, unique=True),
        "invoice-tools": st.lists(st.sampled_from(invoice_tools), min_size=1, unique=True),
    }
    for code, names in {
        "normal": ["purchase_yen", "cloud_monthly_yen", "cloud_months", "option_yen"],
        "invoice": ["purchase_yen", "cloud_monthly_yen", "pc_yen", "register_yen"],
        "e_trade": ["purchase_yen", "service_yen", "cloud_months"],
        "security": ["service_monthly_yen", "service_months"],
    }.items():
        for name in names:
            valid = st.sampled_from(["24", "２４か月", "36", ""]) if name in MONTH_FIELDS else MONEY
            fields[f"{code}-{name}"] = valid
    return fields


STEP_FIELDS = {
    "applicant": lambda: {
        "legal_form": st.sampled_from(["medical_corporation", "individual"]),
        "employees": st.sampled_from(["40", "５人", "300", "301"]),
    },
    "goals": lambda: {
        "goals": st.lists(st.sampled_from([*ALL_COST_GOALS, "multi"]), min_size=1, unique=True)
    },
    "tools": _tools_fields,
    "wages": lambda: {
        "minimum_wage_near": st.sampled_from(["yes", "no", "unknown"]),
        "wage_increase_plan": st.sampled_from(["yes", "no", "unknown"]),
    },
}


def screening_state(screening) -> dict:
    return {
        k: v
        for k, v in row(Screening, screening.pk).items()
        if k in ("name", "answers", "step", "completed_at", "total_subsidy_yen", "rule_version_id")
    }


def assert_answers_usable(answers: dict) -> None:
    """Saved answers are what the engine expects: whole yen within bounds, months, headcount."""
    assert isinstance(answers["employees"], int) and 0 <= answers["employees"] <= 1_000_000
    for code in ALL_COST_GOALS:
        for name, value in (answers.get(code) or {}).items():
            if name in MONEY_FIELDS:
                assert type(value) is int and 0 <= value <= MAX_YEN, (code, name, value)
            elif name in MONTH_FIELDS:
                assert type(value) is int and 0 <= value <= 120, (code, name, value)


@pytest.mark.parametrize("step", list(STEP_FIELDS))
@VIEW_SETTINGS
@given(data=st.data())
@example(data=None)  # money of thousands of digits; a float-like count of months
def test_a_wizard_step_saves_usable_answers_or_refuses_and_keeps_the_saved_ones(
    client, wizard_world, step, data
):
    screening = wizard_world
    if data is None:
        body = {"employees": "9" * 5000, "normal-purchase_yen": "9" * 5000}
        body |= {"normal-option_yen": "1.00000000000000000000000000001万"}
        body |= {"security-service_monthly_yen": "9" * 100_000, "normal-cloud_months": "1e3"}
    else:
        body = data.draw(form_data(STEP_FIELDS[step]()), label="body")
    with rolled_back():
        before = screening_state(screening)
        response = client.post(f"/screenings/{screening.pk}/{step}/", body)
        outcome(response)
        if response.status_code == 302:
            assert_answers_usable(Screening.objects.get(pk=screening.pk).answers)
        else:
            assert response.status_code == 200
            html = html_of(response)
            errors = response.context["errors"]
            assert errors, "a refused step shows no error"
            for _, label, message in errors:
                assert is_japanese(message) and f"{label}：" in html, (label, message)
            for form in response.context["forms"].values():
                if form.errors:
                    assert_field_errors_named(html, form)
            assert screening_state(screening) == before


@pytest.mark.parametrize("step", ["applicant", "tools"])
@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=st.data())
def test_a_wizard_preview_answers_and_saves_nothing(client, wizard_world, step, data):
    screening = wizard_world
    body = data.draw(form_data(STEP_FIELDS[step]()), label="body")
    with rolled_back():
        before = screening_state(screening)
        response = client.post(f"/screenings/{screening.pk}/{step}/preview/", body, **HTMX)
        assert response.status_code == 200
        assert screening_state(screening) == before


@VIEW_SETTINGS
@given(name=nasty_value("B社の見積り"))
@example(name="x" * 101)
@example(name="\x00")
@example(name="\ufdfa" * 100)  # NFKC makes each of these 18 characters
def test_a_screening_is_renamed_or_the_refusal_says_why(client, wizard_world, name):
    screening = wizard_world
    with rolled_back():
        before = screening_state(screening)
        response = client.post(f"/screenings/{screening.pk}/rename/", {"name": name}, follow=True)
        assert response.redirect_chain == [("/screenings/", 302)]
        (message,) = [str(m) for m in response.context["messages"]]
        after = screening_state(screening)
        if after == before:
            assert "名前" in message and is_japanese(message)
            form = ScreeningNameForm(as_post({"name": name}))
            assert not form.is_valid() and form.errors["name"][0] in message
        else:
            assert after["name"] and after["name"] == after["name"].strip()
            assert after | {"name": before["name"]} == before


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data({"name": "C社の見積り"}))
@example(data={"name": "\u337f" * 100})  # ㍿ -> 株式会社
def test_a_new_screening_is_made_or_refused_with_nothing_made(client, wizard_world, data):
    with rolled_back():
        count = Screening.objects.count()
        response = client.post("/screenings/", data)
        outcome(response)
        if response.status_code == 302:
            assert Screening.objects.count() == count + 1
        else:
            assert_refused_with_form(response)
            assert Screening.objects.count() == count


# --- rule administration -----------------------------------------------------------------------


@pytest.fixture
def draft(client):
    client.force_login(factories.rule_admin())
    return rule_admin_clone(version=rule_version_published(), label="2026.8", by=None)


SECTION_KEYS = [s.key for s in sections(rules_document())]


def draft_state(version) -> tuple:
    return (
        rule_version_document(version=version),
        RuleVersionEvent.objects.filter(version=version).count(),
    )


@settings(VIEW_SETTINGS, max_examples=examples(40))
@given(key=st.sampled_from(SECTION_KEYS), data=st.data())
@example(key="rounds-normal", data={"rounds-normal-TOTAL_FORMS": "9" * 400})
@example(key="rounds-normal", data={"rounds-normal-0-number": str(10**30)})
@example(key="params-normal", data={"params-normal-small_band_max_processes": str(10**30)})
@example(key="params-normal", data={"params-normal-cloud_max_months": "9" * 400})
@example(key="sizes", data={"sizes-0-employees_max": str(10**30)})
@example(key="legal_forms", data={"legal_forms-0-small_business_max_employees": str(10**30)})
@example(key="legal_forms", data={"legal_forms-0-size_category": str(10**30)})
@example(key="params-security", data={"params-security-max_yen": "9" * 12})
def test_a_rule_section_is_saved_whole_or_refused_with_nothing_changed(client, draft, key, data):
    body = section_data(draft, key)
    if isinstance(data, dict):  # an explicit example
        body |= data
    else:
        names = [*sorted(body), f"{key}-{len(body)}-number"]
        changes = data.draw(
            st.dictionaries(st.sampled_from(names), nasty_value(), min_size=1, max_size=4),
            label="changes",
        )
        body |= changes
    with rolled_back():
        before = draft_state(draft)
        response = client.post(f"/rules/admin/{draft.pk}/edit/{key}/", body)
        outcome(response)
        if response.status_code == 302:
            parse_rules(rule_version_document(version=draft))
            assert client.get(response.url).status_code == 200
        else:
            assert response.status_code == 200
            html = html_of(response)
            (shown,) = [item for item in response.context["sections"] if item["problems"]]
            for problem, anchor in shown["problems"]:
                assert is_japanese(problem) and escape(str(problem)) in html, problem
                assert not anchor or f'id="{anchor}"' in html  # a link lands on an input
            if shown["form"].is_bound and not shown["form"].is_valid():
                assert_field_errors_named(html, shown["form"])
            assert draft_state(draft) == before


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data({"label": st.sampled_from(["2026.3", "２０２６．３", "2026.1"])}))
def test_a_clone_is_made_or_refused_with_nothing_made(client, draft, data):
    with rolled_back():
        versions = RuleVersion.objects.count()
        response = client.post("/rules/admin/clone/", data)
        outcome(response)
        if response.status_code == 302:
            assert RuleVersion.objects.count() == versions + 1
        else:
            assert_refused_with_form(response, "clone_form", status=400)
            assert RuleVersion.objects.count() == versions


DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.sampled_from(["0001-01-01", "9999-12-31", "２０２７／０１／２０", "2027-02-30"]),
)


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data({"effective_from": DATES, "rescreen": st.sampled_from(["on", ""])}))
@example(data={"effective_from": "9999-12-31", "rescreen": "on"})
@example(data={"effective_from": "0001-01-01"})
def test_a_publication_of_a_draft_happens_or_is_refused_with_nothing_changed(client, draft, data):
    with rolled_back():
        before = row(RuleVersion, draft.pk)
        response = client.post(f"/rules/admin/{draft.pk}/publish/", data)
        outcome(response)
        if response.status_code == 302:
            assert client.get(response.url).status_code == 200
            assert client.get("/rules/").status_code == 200
        else:
            assert_refused_with_form(response, "publish_form", status=400)
            assert row(RuleVersion, draft.pk) == before


# --- the association's notices -----------------------------------------------------------------

NOTICE_FIELDS = {
    "title": "研修会のご案内",
    "notice": st.sampled_from(["", "0", "9" * 30]),
    "cover_message": "日頃より本会の事業にご協力を賜り、厚く御礼申し上げます。",
    "contact": "事務局 03-1234-5678",
    "body": "本文です。",
}


@pytest.fixture
def notice_world(client):
    notice_jma_ensure()
    client.force_login(factories.staff("東京都"))
    return notice_factories.publication("東京都", state="draft")


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data(NOTICE_FIELDS))
@example(data={"title": "x" * 10_001, "cover_message": "\x00", "notice": ["1", "2"]})
def test_a_new_notice_is_saved_or_refused_with_nothing_saved(client, notice_world, data):
    with rolled_back():
        count = Publication.objects.count()
        response = client.post("/staff/notices/new/", data)
        outcome(response)
        if response.status_code == 302:
            assert Publication.objects.count() == count + 1
            Publication.objects.latest("pk").full_clean()
        else:
            assert_refused_with_form(response)
            assert Publication.objects.count() == count


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(data=form_data(NOTICE_FIELDS))
def test_a_notice_is_edited_or_refused_with_the_draft_kept(client, notice_world, data):
    publication = notice_world
    with rolled_back():
        before = row(Publication, publication.pk)
        response = client.post(f"/staff/notices/{publication.pk}/edit/", data)
        outcome(response)
        if response.status_code == 302:
            Publication.objects.get(pk=publication.pk).full_clean()
        else:
            assert_refused_with_form(response)
            assert row(Publication, publication.pk) == before


def _zip(folder: str) -> bytes:
    return notice_factories.ooxml_bytes(folder)


FILE_NAMES = st.one_of(
    st.sampled_from(["案内.pdf", "案内.PDF", "名簿.xlsx", "資料.docx", "x.ppt", "a.exe", ".pdf"]),
    st.tuples(
        st.text(
            st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='"\\/'), max_size=300
        ),
        st.sampled_from([".pdf", ".doc", ".xls", ".ppt", ".docx", ".xlsx", ".pptx", "", ".txt"]),
    ).map("".join),
)
CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=100).map(lambda b: b"%PDF-" + b),
    st.binary(max_size=100).map(lambda b: bytes.fromhex("D0CF11E0A1B11AE1") + b),
    st.binary(max_size=100).map(lambda b: b"PK\x03\x04" + b),
    st.sampled_from(["word/", "xl/", "ppt/", "other/"]).map(_zip),
    st.just(b""),
)


@settings(VIEW_SETTINGS, max_examples=examples(40))
@given(
    name=FILE_NAMES,
    content=CONTENTS,
    as_text=st.booleans(),
)
@example(name="あ" * 120 + ".pdf", content=notice_factories.PDF_BYTES, as_text=False)
def test_a_file_is_attached_as_sent_or_refused_with_nothing_kept(
    client, notice_world, settings, name, content, as_text
):
    publication = notice_world
    url = f"/staff/notices/{publication.pk}/attachments/"
    body = {"file": name if as_text else SimpleUploadedFile(name or "x", content)}
    with rolled_back():
        response = client.post(url, body)
        outcome(response)
        stored = list(Attachment.objects.filter(publication=publication))
        if response.status_code == 302:
            (attachment,) = stored
            with attachment.file.open("rb") as handle:
                assert handle.read() == content
            attachment.file.delete(save=False)
        else:
            assert_refused_with_form(response, "attachment_form", status=400)
            assert stored == []
    leftovers = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert leftovers == []


@settings(VIEW_SETTINGS, max_examples=examples(30))
@given(
    data=form_data(
        {
            "when": st.sampled_from(["now", "later"]),
            "publish_at": st.one_of(
                st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
                st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2030-01-01 09:00"]),
            ),
        }
    )
)
@example(data={"when": "later", "publish_at": "0001-01-01T00:00"})
@example(data={"when": "later", "publish_at": "9999-12-31T23:59"})
def test_a_notice_is_published_or_scheduled_or_refused_with_the_draft_kept(
    client, notice_world, data
):
    publication = notice_world
    with rolled_back():
        before = row(Publication, publication.pk)
        response = client.post(f"/staff/notices/{publication.pk}/publish/", data)
        outcome(response)
        if response.status_code == 302:
            assert client.get(response.url).status_code == 200
        else:
            assert_refused_with_form(response, "publish_form", status=400)
            assert row(Publication, publication.pk) == before


def test_a_nul_character_is_named_as_such_not_as_an_empty_field(client, profile_world):
    """Django's Japanese for "Null characters are not allowed." asks to type something."""
    _, clinic_user, _ = profile_world
    client.force_login(clinic_user)
    response = client.post("/clinic/profile/", PROFILE_VALID | {"name": "青葉\x00内科"})
    assert "医療機関名：使えない制御文字（NUL）が含まれています" in html_of(response)
    assert "何か文字を入力してください" not in html_of(response)
