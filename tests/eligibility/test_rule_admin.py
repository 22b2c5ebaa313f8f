"""Rule administration pages (/rules/admin/): versions, clone, a draft's sections, the diff,
publish, export and import, the history, and who may use them."""

import json
import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from eligibility.engine.answers import evaluate_answers
from eligibility.models import PublishedVersionError, RuleVersion, RuleVersionEvent, Screening
from eligibility.selectors import (
    rule_set_for,
    rule_version_document,
    rule_version_impact,
    rule_version_published,
    today,
)
from eligibility.services import (
    RULES_DIR,
    rule_admin_clone,
    rule_admin_delete_draft,
    rule_admin_edit,
    rule_admin_import,
    screening_complete,
    screening_create,
)
from tests import factories
from tests.conftest import rules_document
from tests.factories import section_data

pytestmark = pytest.mark.django_db

SECURITY_SMALL = {
    "legal_form": "medical_corporation",
    "employees": 3,
    "goals": ["security"],
    "security": {"service_monthly_yen": 20_000, "service_months": 24},
    "tools_done": True,
}


@pytest.fixture
def admin_client(client):
    client.force_login(factories.rule_admin())
    return client


@pytest.fixture
def draft():
    return rule_admin_clone(version=rule_version_published(), label="2026.2", by=None)


def completed_screening(answers=SECURITY_SMALL, *, clinic=None, name="見積り"):
    user = factories.clinic_user(clinic)
    screening = screening_create(clinic=user.clinic, name=name, by=user)
    screening.answers = answers
    screening.save()
    screening_complete(screening=screening, as_of=today())
    screening.user = user
    return screening


# --- who may come -------------------------------------------------------------------------


def urls(version_id):
    base = f"/rules/admin/{version_id}"
    return [
        ("get", "/rules/admin/"),
        ("post", "/rules/admin/clone/"),
        ("post", "/rules/admin/import/"),
        ("get", f"{base}/"),
        ("post", f"{base}/edit/rounds-normal/"),
        ("get", f"{base}/impact/"),
        ("post", f"{base}/publish/"),
        ("post", f"{base}/delete/"),
        ("post", f"{base}/rescreen/"),
        ("get", f"{base}/export/"),
    ]


def test_only_rule_administrators_reach_the_pages(client, draft):
    for method, url in urls(draft.pk):
        client.logout()
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
        for user in (factories.clinic_user(), factories.staff()):
            client.force_login(user)
            assert getattr(client, method)(url).status_code == 403, url
    assert RuleVersion.objects.count() == 2


def test_every_view_rejects_the_wrong_method(admin_client, draft):
    for method, url in urls(draft.pk):
        wrong = "post" if method == "get" else "get"
        assert getattr(admin_client, wrong)(url).status_code == 405, url
        assert admin_client.put(url).status_code == 405, url


def test_home_and_the_menu_lead_a_rule_administrator_to_the_versions(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 302 and response.url == "/rules/admin/"
    html = admin_client.get("/rules/admin/").content.decode()
    assert '<a href="/rules/admin/">ルールの版</a>' in html
    assert "2026.1" in html and "公開中" in html


# --- clone --------------------------------------------------------------------------------


def test_it_clones_the_published_version_into_a_draft(admin_client):
    response = admin_client.post("/rules/admin/clone/", {"label": "２０２６．２"})
    draft = RuleVersion.objects.get(label="2026.2")
    assert response.status_code == 302 and response.url == f"/rules/admin/{draft.pk}/"
    assert draft.is_draft and draft.based_on == rule_version_published()
    assert rule_version_document(version=draft) == rules_document() | {"label": "2026.2"}
    event = draft.events.get()
    assert event.kind == RuleVersionEvent.Kind.CLONE and event.by.is_rule_admin
    assert "2026.1 を複製" in event.description


def test_cloning_copies_every_section(draft):
    original = rule_version_document(version=rule_version_published())
    copied = rule_version_document(version=draft)
    for section in ("size_categories", "legal_forms", "process_codes", "tools", "frames"):
        assert original[section] and copied[section] == original[section], section
    assert copied["checklist"] == original["checklist"] and copied["label"] == "2026.2"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2026.1", "版 2026.1 はすでにあります"),
        ("", "版の名前を入力してください"),
        ("新しい版", "半角英数字"),
    ],
    ids=["duplicate", "empty", "not-ascii"],
)
def test_a_clone_needs_a_new_usable_label(admin_client, label, message):
    response = admin_client.post("/rules/admin/clone/", {"label": label})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RuleVersion.objects.count() == 1


# --- editing a draft ----------------------------------------------------------------------


def test_it_adds_a_fifth_round_and_shows_the_diff_and_history(admin_client, draft):
    closes = today() + timedelta(days=56)
    data = section_data(draft, "rounds-normal")
    data |= {
        "rounds-normal-4-closes_on": closes.isoformat(),
        "rounds-normal-4-source": "事務局の発表（第5次）",
    }
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/rounds-normal/", data)
    assert response.status_code == 302
    assert response.url == f"/rules/admin/{draft.pk}/?section=rounds-normal"
    rounds = rule_set_for(version=draft).frames["normal"].rounds
    assert [(r.number, r.closes_on) for r in rounds][-1] == (5, closes)
    line = f"通常枠 第5次締切 {closes.year}年{closes.month}月{closes.day}日 を追加"
    event = draft.events.filter(kind=RuleVersionEvent.Kind.EDIT).get()
    assert event.diff == [line] and "通常枠の申請締切" in event.description
    html = admin_client.get(response.url).content.decode()
    assert "公開中の版 2026.1 との違い（1件）" in html
    assert html.count(line) == 3  # the message, the diff and the history


def test_it_takes_rates_as_fractions_and_amounts_with_man(admin_client, draft):
    data = section_data(draft, "params-security")
    data |= {"params-security-rate_small": "３／４", "params-security-min_yen": "６万円"}
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    assert response.status_code == 302
    assert draft.events.get(kind="edit").diff == [
        "セキュリティ対策推進枠 補助率（小規模事業者） 2/3 → 3/4",
        "セキュリティ対策推進枠 補助額の下限 50,000円 → 60,000円",
    ]


def test_it_edits_the_small_business_assumption(admin_client, draft):
    data = section_data(draft, "legal_forms")
    data["legal_forms-0-small_business_max_employees"] = "２０"
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/legal_forms/", data)
    assert response.status_code == 302
    assert draft.events.get(kind="edit").diff == [
        "医療法人 小規模事業者の従業員数 5人以下 → 20人以下"
    ]
    assert (
        rule_set_for(version=draft).legal_forms["medical_corporation"].small_business_max_employees
        == 20
    )


def test_it_adds_a_legal_form_and_keeps_the_saved_codes(admin_client, draft):
    data = section_data(draft, "legal_forms") | {
        "legal_forms-0-code": "renamed",  # a saved code is not editable
        "legal_forms-3-code": "general_incorporated_association",
        "legal_forms-3-name": "一般社団法人",
        "legal_forms-3-size_category": "3",
        "legal_forms-3-applicant_label": "③サービス業：常時使用する従業員の数が100人以下",
        "legal_forms-3-small_business_max_employees": "5",
        "legal_forms-3-small_business_source": "補助金ナビの想定",
    }
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/legal_forms/", data)
    assert response.status_code == 302
    assert draft.events.get(kind="edit").diff == ["一般社団法人 を追加"]
    forms = rule_set_for(version=draft).legal_forms
    assert list(forms) == [
        "medical_corporation",
        "individual",
        "social_welfare_corporation",
        "general_incorporated_association",
    ]
    assert forms["general_incorporated_association"].size_category == 3


def test_it_edits_a_frames_name_and_explanations(admin_client, draft):
    data = section_data(draft, "texts-security")
    data["texts-security-goal"] = "ウイルス・不正アクセスへの備え"
    data["texts-security-summary"] = ""
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/texts-security/", data)
    assert "入力に誤りがあります" in response.content.decode()  # a frame must be explained
    assert rule_set_for(version=draft).frames["security"].goal == "セキュリティ対策"

    data["texts-security-summary"] = "サイバー攻撃への備えを支援します。"
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/texts-security/", data)
    assert response.status_code == 302
    frame = rule_set_for(version=draft).frames["security"]
    assert (frame.goal, frame.summary) == (
        "ウイルス・不正アクセスへの備え",
        "サイバー攻撃への備えを支援します。",
    )
    diff = draft.events.get(kind="edit").diff
    assert any("やりたいこと" in line and "ウイルス・不正アクセスへの備え" in line for line in diff)
    assert any("概要" in line for line in diff) and len(diff) == 2
    published = rule_version_published()
    assert rule_set_for(version=published).frames["security"].goal == "セキュリティ対策"


def test_it_adds_and_deletes_rows(admin_client, draft):
    data = section_data(draft, "checklist")
    last = int(data["checklist-INITIAL_FORMS"])
    data |= {
        "checklist-0-DELETE": "on",
        f"checklist-{last}-text": "見積書を2社から取る",
        f"checklist-{last}-condition": "always",
        f"checklist-{last}-source": "医師会の助言",
    }
    first = rule_version_document(version=draft)["checklist"][0]["text"]
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/checklist/", data)
    assert response.status_code == 302
    texts = [item["text"] for item in rule_version_document(version=draft)["checklist"]]
    assert texts[-1] == "見積書を2社から取る" and first not in texts
    assert len(draft.events.get(kind="edit").diff) == 2


@pytest.mark.parametrize(
    ("key", "changes", "problem"),
    [
        (
            "rounds-normal",
            {"rounds-normal-4-closes_on": "2026-08-01", "rounds-normal-4-source": "x"},
            "通常枠: 第5次の締切は第4次より後の日付にしてください",
        ),
        (
            "rounds-normal",
            {
                "rounds-normal-4-number": "6",
                "rounds-normal-4-closes_on": "2027-03-01",
                "rounds-normal-4-source": "x",
            },
            "通常枠: 締切の回次は1から順に欠番なく付けてください（第5次がありません）",
        ),
        (
            "params-security",
            {"params-security-rate_small": "3/2"},
            "セキュリティ対策推進枠の「補助率（小規模事業者）」: 補助率は0より大きく1以下にしてください",
        ),
        (
            "params-security",
            {"params-security-min_yen": "200万"},
            "セキュリティ対策推進枠: 「補助額の下限」は「補助額の上限」より小さくしてください",
        ),
        (
            "params-normal",
            {"params-normal-rate": "0.5"},
            "「2/3」のように分数で入力してください",
        ),
    ],
    ids=["rounds-out-of-order", "round-gap", "rate-above-one", "min-above-max", "decimal-rate"],
)
def test_an_invalid_draft_is_refused_in_japanese_and_nothing_is_saved(
    admin_client, draft, key, changes, problem
):
    before = rule_version_document(version=draft)
    data = section_data(draft, key) | changes
    response = admin_client.post(f"/rules/admin/{draft.pk}/edit/{key}/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "保存できませんでした（何も変更していません）" in html and problem in html
    assert rule_version_document(version=draft) == before
    assert not draft.events.filter(kind="edit").exists()


def test_unreadable_money_is_named_at_the_field(admin_client, draft):
    data = section_data(draft, "params-security") | {"params-security-max_yen": "たくさん"}
    html = admin_client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    assert "金額は「1,500,000」や「150万」のように" in html.content.decode()
    assert 'value="たくさん"' in html.content.decode()


def test_a_published_version_cannot_be_edited_by_the_views_or_the_services(admin_client):
    published = rule_version_published()
    before = rule_version_document(version=published)
    data = section_data(published, "rounds-normal") | {
        "rounds-normal-4-closes_on": "2027-01-20",
        "rounds-normal-4-source": "x",
    }
    response = admin_client.post(f"/rules/admin/{published.pk}/edit/rounds-normal/", data)
    assert response.status_code == 302 and response.url == f"/rules/admin/{published.pk}/"
    assert rule_version_document(version=published) == before
    changed = before | {"notice": "改訂"}
    with pytest.raises(PublishedVersionError):
        rule_admin_edit(version=published, document=changed, by=None, what="版の情報")
    assert rule_version_document(version=published) == before
    html = admin_client.get(f"/rules/admin/{published.pk}/").content.decode()
    assert "この版は公開中のため編集できません" in html
    assert "を保存する" not in html and "disabled" in html


# --- delete a draft -----------------------------------------------------------------------


def test_a_draft_is_deleted_with_its_rows_and_the_deletion_is_in_its_sources_history(
    admin_client, draft
):
    published = rule_version_published()
    before = rule_version_document(version=published)
    page = admin_client.get(f"/rules/admin/{draft.pk}/").content.decode()
    assert "下書き 2026.2 を削除する" in page
    response = admin_client.post(f"/rules/admin/{draft.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/rules/admin/"
    assert "下書き 2026.2 を削除しました" in response.content.decode()
    assert not RuleVersion.objects.filter(pk=draft.pk).exists()
    assert rule_version_document(version=published) == before
    event = published.events.get(kind=RuleVersionEvent.Kind.DELETE_DRAFT)
    assert event.description == "この版を複製した下書き 2026.2 を削除しました。"
    assert event.by.is_rule_admin
    assert f"/rules/admin/{draft.pk}/" not in admin_client.get("/rules/admin/").content.decode()


def test_a_published_version_is_never_deleted(admin_client):
    published = rule_version_published()
    response = admin_client.post(f"/rules/admin/{published.pk}/delete/", follow=True)
    assert "版 2026.1 は下書きではないため削除できません" in response.content.decode()
    assert RuleVersion.objects.filter(pk=published.pk).exists()
    assert (
        "下書きを削除する" not in admin_client.get(f"/rules/admin/{published.pk}/").content.decode()
    )
    with pytest.raises(PublishedVersionError):
        rule_admin_delete_draft(version=published, by=None)


# --- publish ------------------------------------------------------------------------------


def test_publishing_retires_the_previous_version_and_records_both(admin_client, draft):
    effective = today() + timedelta(days=7)
    response = admin_client.post(
        f"/rules/admin/{draft.pk}/publish/", {"effective_from": effective.isoformat()}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    previous = RuleVersion.objects.get(label="2026.1")
    assert draft.status == "published" and draft.effective_from == effective
    assert previous.status == "retired"
    assert draft.events.filter(kind="publish").exists()
    assert previous.events.get(kind="retire").description == (
        "版 2026.2 の公開により、過去の版になりました。"
    )
    assert not draft.rescreen_runs.exists()  # the box was not ticked


def test_a_publish_needs_a_date(admin_client, draft):
    response = admin_client.post(f"/rules/admin/{draft.pk}/publish/", {"effective_from": "来月"})
    assert response.status_code == 400
    assert "日付は「2027-01-20」のように入力してください" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_an_old_result_keeps_its_numbers_after_the_admin_publishes(client, draft):
    screening = completed_screening()
    client.force_login(screening.user)
    assert "320,000円" in client.get(f"/screenings/{screening.pk}/result/").content.decode()
    admin = factories.rule_admin()
    client.force_login(admin)
    data = section_data(draft, "params-security") | {"params-security-rate_small": "3/4"}
    client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    client.post(f"/rules/admin/{draft.pk}/publish/", {"effective_from": today().isoformat()})
    client.force_login(screening.user)
    html = client.get(f"/screenings/{screening.pk}/result/").content.decode()
    assert "320,000円" in html and "360,000円" not in html
    assert "現在公開中の版は 2026.2 です" in html
    recheck = client.post(f"/screenings/{screening.pk}/recheck/")
    assert "360,000円" in client.get(recheck.url).content.decode()


def test_done_when_a_new_round_added_by_the_admin_reaches_the_wizard(client):
    """Clone, add 第5次 for 通常枠, see the diff and the impact, publish; the wizard shows it."""
    admin = factories.rule_admin()
    client.force_login(admin)
    clinic_user = factories.clinic_user(factories.clinic(employees=40))
    normal = {
        "legal_form": "medical_corporation",
        "employees": 40,
        "goals": ["normal"],
        "normal": {"tools": ["web_reservation"], "purchase_yen": 600_000},
        "minimum_wage_near": False,
        "tools_done": True,
    }
    old = completed_screening(normal, clinic=clinic_user.clinic, name="前の見積り")
    client.post("/rules/admin/clone/", {"label": "2026.2"})
    draft = RuleVersion.objects.get(label="2026.2")
    closes = today() + timedelta(days=56)
    data = section_data(draft, "rounds-normal") | {
        "rounds-normal-4-closes_on": closes.isoformat(),
        "rounds-normal-4-source": "事務局の発表",
    }
    client.post(f"/rules/admin/{draft.pk}/edit/rounds-normal/", data)
    when = f"{closes.year}年{closes.month}月{closes.day}日"
    page = client.get(f"/rules/admin/{draft.pk}/").content.decode()
    assert f"通常枠 第5次締切 {when} を追加" in page
    impact = client.get(f"/rules/admin/{draft.pk}/impact/").content.decode()
    assert f"通常枠 次の締切 なし → {when}" in impact
    assert clinic_user.clinic.name in impact and "東京都医師会" in impact
    response = client.post(
        f"/rules/admin/{draft.pk}/publish/",
        {"effective_from": today().isoformat(), "rescreen": "on"},
    )
    assert response.status_code == 302
    client.force_login(clinic_user)
    client.post("/screenings/", {"name": "新しい見積り"})
    screening = Screening.objects.latest("id")
    assert screening.rule_version == draft
    client.post(
        f"/screenings/{screening.pk}/applicant/",
        {"legal_form": "medical_corporation", "employees": "40"},
    )
    client.post(f"/screenings/{screening.pk}/goals/", {"goals": ["normal"]})
    client.post(
        f"/screenings/{screening.pk}/tools/",
        {"normal-tools": ["web_reservation"], "normal-purchase_yen": "60万"},
    )
    result = client.post(f"/screenings/{screening.pk}/wages/", {"minimum_wage_near": "no"})
    html = client.get(result.url).content.decode()
    assert f"第5次 {when}" in html
    listing = client.get("/screenings/").content.decode()
    assert "新しい版（2026.2）で結果が変わりました" in listing
    assert old.changes.get().lines == [f"通常枠 次の締切 なし → {when}"]


# --- impact preview -----------------------------------------------------------------------


def test_the_impact_counts_equal_a_direct_re_evaluation(admin_client, draft):
    answers = [
        SECURITY_SMALL,
        SECURITY_SMALL | {"employees": 30},
        {
            "legal_form": "individual",
            "employees": 4,
            "goals": ["normal", "invoice"],
            "normal": {"tools": ["web_reservation"], "purchase_yen": 400_000},
            "invoice": {"tools": ["accounting"], "purchase_yen": 300_000, "pc_yen": 100_000},
            "minimum_wage_near": True,
            "tools_done": True,
        },
        {
            "legal_form": "medical_corporation",
            "employees": 350,
            "goals": ["e_trade"],
            "e_trade": {"purchase_yen": 1_000_000},
            "tools_done": True,
        },
    ]
    prefectures = ["東京都", "大阪府", "東京都", "北海道"]
    for data, prefecture in zip(answers, prefectures, strict=True):
        completed_screening(data, clinic=factories.clinic(prefecture=prefecture))
    data = section_data(draft, "params-security") | {"params-security-rate_small": "3/4"}
    admin_client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    data = section_data(draft, "legal_forms") | {"legal_forms-1-small_business_max_employees": "3"}
    admin_client.post(f"/rules/admin/{draft.pk}/edit/legal_forms/", data)
    closes = today() + timedelta(days=30)
    data = section_data(draft, "rounds-normal") | {
        "rounds-normal-4-closes_on": closes.isoformat(),
        "rounds-normal-4-source": "x",
    }
    admin_client.post(f"/rules/admin/{draft.pk}/edit/rounds-normal/", data)

    as_of = today()
    new_rules = rule_set_for(version=draft)
    expected = {"changed": 0, "eligibility": 0, "subsidy": 0, "deadline": 0}
    for screening in Screening.objects.filter(completed_at__isnull=False):
        old_rules = rule_set_for(version=screening.rule_version)
        old, _ = evaluate_answers(screening.answers, old_rules, as_of=as_of)
        new, _ = evaluate_answers(screening.answers, new_rules, as_of=as_of)
        pairs = [(o, new.frame(o.code)) for o in old.frames]
        kinds = {
            "eligibility": any(o.verdict != n.verdict for o, n in pairs)
            or len(old.frames) != len(new.frames),
            "subsidy": any(o.subsidy_yen != n.subsidy_yen for o, n in pairs),
            "deadline": any(o.next_deadline != n.next_deadline for o, n in pairs),
        }
        for kind, changed in kinds.items():
            expected[kind] += changed
        expected["changed"] += any(kinds.values())

    impact = rule_version_impact(version=draft, as_of=as_of)
    assert impact.total == 4
    assert {k: getattr(impact, k) for k in expected} == expected
    # the small security clinic (rate 3/4) and the individual practitioner who is no longer
    # 小規模事業者 (invoice rate, verdict) and now has a 通常枠 round; the others do not change
    assert expected == {"changed": 2, "eligibility": 1, "subsidy": 2, "deadline": 1}
    html = admin_client.get(f"/rules/admin/{draft.pk}/impact/").content.decode()
    assert f"{expected['changed']}件" in html and "東京都医師会" in html
    assert "大阪府医師会" not in html  # its clinic is not 小規模: nothing changes


# --- export and import --------------------------------------------------------------------


def test_the_export_is_the_shipped_file(admin_client):
    published = rule_version_published()
    response = admin_client.get(f"/rules/admin/{published.pk}/export/")
    assert response["Content-Disposition"] == 'attachment; filename="rules-2026.1.json"'
    assert response.content == (RULES_DIR / "2026.1.json").read_bytes()


def test_an_export_imported_again_is_the_same_version(admin_client, draft):
    data = section_data(draft, "rounds-security") | {
        "rounds-security-4-closes_on": "2027-02-10",
        "rounds-security-4-source": "事務局の発表",
    }
    admin_client.post(f"/rules/admin/{draft.pk}/edit/rounds-security/", data)
    exported = admin_client.get(f"/rules/admin/{draft.pk}/export/").content
    document = rule_version_document(version=draft)
    draft.delete()
    upload = _upload(exported, "rules-2026.2.json")
    response = admin_client.post("/rules/admin/import/", {"file": upload})
    imported = RuleVersion.objects.get(label="2026.2")
    assert response.status_code == 302 and response.url == f"/rules/admin/{imported.pk}/"
    assert imported.is_draft
    assert rule_version_document(version=imported) == document
    assert admin_client.get(f"/rules/admin/{imported.pk}/export/").content == exported
    assert imported.events.get().kind == "import"


def test_an_import_with_a_long_file_name_keeps_its_history_line_within_its_column():
    raw = json.dumps(rules_document() | {"label": "2026.9"}, ensure_ascii=False).encode()
    version = rule_admin_import(raw=raw, by=None, file_name="ル" * 300 + ".json")
    event = version.events.get()
    assert len(event.description) == 300
    assert event.description.startswith("ファイル「ルル")
    assert event.description.endswith("ル…」から読み込んで下書きを作りました。")
    event.full_clean()


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/json")


def _broken(change) -> bytes:
    document = rules_document() | {"label": "2026.9"}
    change(document)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _bad_rate(doc):
    doc["frames"][0]["params"][0]["value"] = "3/2"
    doc["frames"][0]["rounds"][1]["closes_on"] = "2026-01-01"


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        (b'{"label": "2026.9",', ["JSON として読めません（1行目 20文字目）。"]),
        (
            json.dumps({"label": "二〇二六"}, ensure_ascii=False).encode("shift_jis"),
            ["ファイルの文字コードが UTF-8 ではありません"],
        ),
        (
            _broken(_bad_rate),
            [
                "通常枠の「補助率」: 補助率は0より大きく1以下にしてください",
                "通常枠: 第2次の締切は第1次より後の日付にしてください",
            ],
        ),
        (_broken(lambda doc: doc.update(label="2026.1")), ["版 2026.1 はすでにあります"]),
        (b"[1, 2]", ["ルールの版の形（JSON のオブジェクト）になっていません。"]),
        (
            _broken(lambda doc: doc.update(programme="")),
            ["「制度名」（programme）を入力してください"],
        ),
    ],
    ids=["bad-json", "shift-jis", "failing-rules", "duplicate-label", "not-an-object", "no-name"],
)
def test_a_broken_import_changes_nothing_and_says_what_is_wrong(admin_client, content, problems):
    versions = list(RuleVersion.objects.values_list("label", flat=True))
    events = RuleVersionEvent.objects.count()
    response = admin_client.post("/rules/admin/import/", {"file": _upload(content, "x.json")})
    html = response.content.decode()
    assert response.status_code == 400
    assert "ファイルを読み込めませんでした（何も変更していません）" in html
    for problem in problems:
        assert problem in html
    assert list(RuleVersion.objects.values_list("label", flat=True)) == versions
    assert RuleVersionEvent.objects.count() == events


def test_an_import_without_a_file_asks_for_one(admin_client):
    response = admin_client.post("/rules/admin/import/", {})
    assert response.status_code == 400 and "ファイルを選んでください" in response.content.decode()


def test_the_version_pages_render_for_each_status(admin_client, draft):
    for version in RuleVersion.objects.all():
        response = admin_client.get(f"/rules/admin/{version.pk}/")
        assert response.status_code == 200
    assert admin_client.get("/rules/admin/999999/").status_code == 404
    assert admin_client.post(f"/rules/admin/{draft.pk}/edit/nothing/", {}).status_code == 404


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_computes_the_impact_while_the_page_shows_its_progress(
    admin_client, draft, run_ready_tasks
):
    completed_screening()
    url = f"/rules/admin/{draft.pk}/impact/"
    html = admin_client.get(url).content.decode()
    assert "保存済みの確認 1件をこの版で判定し直しています" in html
    assert f'hx-get="{url}?part=progress"' in html
    poll = admin_client.get(f"{url}?part=progress", headers={"HX-Request": "true"})
    assert poll.content.decode().lstrip().startswith('<div id="impact-progress"')
    assert DBTaskResult.objects.count() == 1  # polling does not queue it again

    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    poll = admin_client.get(f"{url}?part=progress", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll["HX-Refresh"] == "true"
    html = admin_client.get(url).content.decode()
    assert "で判定し直した場合の影響" in html and "結果が変わる確認" in html
    assert "impact-progress" not in html


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_failed_impact_says_so_and_can_be_computed_again(
    admin_client, draft, run_ready_tasks, monkeypatch
):
    completed_screening()
    url = f"/rules/admin/{draft.pk}/impact/"
    admin_client.get(url)

    def broken(**kwargs):
        raise RuntimeError("壊れた")

    monkeypatch.setattr("eligibility.services.rule_version_impact", broken)
    assert [task.status for task in run_ready_tasks()] == ["FAILED"]
    html = admin_client.get(url).content.decode()
    assert "影響を計算できませんでした（RuntimeError: 壊れた）" in html and "hx-get" not in html
    monkeypatch.undo()
    admin_client.get(f"{url}?again=1")
    assert [task.status for task in run_ready_tasks()] == ["SUCCESSFUL"]
    assert "結果が変わる確認" in admin_client.get(url).content.decode()


def _described_by_missing(html: str) -> list[str]:
    """Ids that an aria-describedby names but the page does not have."""
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = {i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()}
    return sorted(named - ids)


def test_every_described_by_points_at_something_and_errors_sit_by_their_field(admin_client, draft):
    html = admin_client.get(f"/rules/admin/{draft.pk}/").content.decode()
    assert _described_by_missing(html) == []
    data = section_data(draft, "params-security") | {"params-security-max_yen": "たくさん"}
    html = admin_client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    html = html.content.decode()
    assert _described_by_missing(html) == []
    field = re.search(r'<input[^>]*name="params-security-max_yen"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert "id_params-security-max_yen_error" in field
    assert '<div id="id_params-security-max_yen_error"><p class="field-error">金額は' in html


def test_the_problem_summary_links_to_the_field_it_names(admin_client, draft):
    data = section_data(draft, "params-security") | {"params-security-max_yen": "10000"}
    html = admin_client.post(f"/rules/admin/{draft.pk}/edit/params-security/", data)
    html = html.content.decode()
    summary = html[html.index("保存できませんでした（何も変更していません）") :][:1500]
    link = re.search(
        r'<a href="#([^"]+)">セキュリティ対策推進枠: 「補助額の下限」は「補助額の上限」', summary
    )
    assert link is not None, summary
    assert f'id="{link.group(1)}"' in html
