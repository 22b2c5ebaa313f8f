"""The diff of two rule documents and of two results, in plain Japanese (no database)."""

import copy
from datetime import date

import pytest

from eligibility.engine.diff import (
    Outcome,
    OutcomeChange,
    change_line,
    change_summary,
    document_diff,
    outcome_changes,
)
from tests.conftest import rules_document


def frame(doc, code):
    return next(f for f in doc["frames"] if f["code"] == code)


def param(doc, code, key):
    return next(p for p in frame(doc, code)["params"] if p["key"] == key)


def legal_form(doc, code):
    return next(f for f in doc["legal_forms"] if f["code"] == code)


def add_round(doc):
    frame(doc, "normal")["rounds"].append(
        {"number": 5, "closes_on": "2027-01-20", "source": "事務局の発表"}
    )


def security_rate(doc):
    param(doc, "security", "rate_small")["value"] = "3/4"


def small_business(doc):
    legal_form(doc, "medical_corporation")["small_business_max_employees"] = 20


def normal_cap(doc):
    param(doc, "normal", "large_band_max_yen")["value"] = 5_000_000


def move_round(doc):
    frame(doc, "normal")["rounds"][3]["closes_on"] = "2026-08-31"


def drop_round(doc):
    frame(doc, "multi")["rounds"].pop()


def size_limit(doc):
    doc["size_categories"][8]["employees_max"] = 200


def new_process(doc):
    doc["process_codes"].append({"code": "共P-08", "name": "試行", "group": "共通プロセス"})


def drop_tool(doc):
    doc["tools"] = [t for t in doc["tools"] if t["code"] != "web_reservation"]


def tool_function(doc):
    doc["tools"][0]["invoice_function"] = "payment"


def checklist_added(doc):
    doc["checklist"].append(
        {
            "text": "見積書を用意する",
            "frame_code": "",
            "condition": "always",
            "source": "事務局",
            "needs_confirmation": False,
        }
    )


def checklist_condition(doc):
    doc["checklist"][0]["condition"] = "wage_plan"


def confirm_flag(doc):
    param(doc, "normal", "rate")["needs_confirmation"] = True


def guideline(doc):
    doc["guideline_edition"] = "公募要領 第1版"


CASES = [
    (add_round, ["通常枠 第5次締切 2027年1月20日 を追加"]),
    (security_rate, ["セキュリティ対策推進枠 補助率（小規模事業者） 2/3 → 3/4"]),
    (small_business, ["医療法人 小規模事業者の従業員数 5人以下 → 20人以下"]),
    (normal_cap, ["通常枠 補助額の上限（4プロセス以上） 4,500,000円 → 5,000,000円"]),
    (move_round, ["通常枠 第4次締切 2026年8月25日 → 2026年8月31日"]),
    (drop_round, ["複数者連携デジタル化・AI導入枠 第2次締切 2026年8月25日 を削除"]),
    (size_limit, ["中小企業の規模区分 ⑨ 従業員数の上限 300人以下 → 200人以下"]),
    (new_process, ["業務プロセス 共P-08 を追加"]),
    (drop_tool, ["ITツールの種類「Web予約・問診」 を削除"]),
    (tool_function, ["ITツールの種類「Web予約・問診」 インボイスの機能 なし → 決済"]),
    (checklist_added, ["チェックリスト「見積書を用意する」を追加"]),
    (confirm_flag, ["通常枠 補助率 確認 確認済み → 要確認"]),
    (
        guideline,
        [f"公募要領の版 「{rules_document()['guideline_edition'][:39]}…」 → 「公募要領 第1版」"],
    ),
]


@pytest.mark.parametrize(("change", "lines"), CASES, ids=[c[0].__name__ for c in CASES])
def test_it_lists_exactly_the_change_made(change, lines):
    old = rules_document()
    new = copy.deepcopy(old)
    change(new)
    assert document_diff(old, new) == lines


def test_a_checklist_condition_change_names_the_item():
    old = rules_document()
    new = copy.deepcopy(old)
    checklist_condition(new)
    (line,) = document_diff(old, new)
    assert line.startswith("チェックリスト「") and line.endswith(
        "条件 常に → 賃金引上げ計画が必要なとき"
    )


def test_several_changes_are_all_listed_and_the_label_is_not_a_change():
    old = rules_document()
    new = copy.deepcopy(old)
    new["label"] = "2026.2"
    for change in (add_round, security_rate, small_business):
        change(new)
    assert document_diff(old, new) == [
        "医療法人 小規模事業者の従業員数 5人以下 → 20人以下",
        "通常枠 第5次締切 2027年1月20日 を追加",
        "セキュリティ対策推進枠 補助率（小規模事業者） 2/3 → 3/4",
    ]


def test_the_same_document_has_no_differences():
    assert document_diff(rules_document(), rules_document()) == []


NAMES = {"normal": "通常枠", "security": "セキュリティ対策推進枠", "e_trade": "電子取引類型"}


def test_outcome_changes_say_what_changed_for_a_clinic():
    before = {
        "normal": Outcome("eligible", True, 500_000, None),
        "security": Outcome("confirm", True, 320_000, None),
    }
    after = {
        "normal": Outcome("eligible", True, 500_000, date(2027, 1, 20)),
        "security": Outcome("confirm", True, 360_000, None),
        "e_trade": Outcome("not_eligible", False, 0, None),
    }
    changes = outcome_changes(before, after)
    assert [change_line(c, NAMES) for c in changes] == [
        "通常枠 次の締切 なし → 2027年1月20日",
        "セキュリティ対策推進枠 補助額 320,000円 → 360,000円",
        "電子取引類型 が判定の対象に加わります（対象外）",
    ]
    assert [c.kind for c in changes] == ["deadline", "subsidy", "eligibility"]
    assert change_summary(changes[1], NAMES) == "セキュリティ対策推進枠 補助額が増える"


def test_a_verdict_change_and_a_frame_that_drops_out():
    before = {
        "normal": Outcome("eligible", True, 1, None),
        "e_trade": Outcome("eligible", True, 1, None),
    }
    after = {"normal": Outcome("confirm", True, 1, None)}
    assert [change_line(c, NAMES) for c in outcome_changes(before, after)] == [
        "通常枠 判定 申請可能 → 要確認",
        "電子取引類型 が判定の対象から外れます",
    ]
    assert OutcomeChange("normal", "removed").kind == "eligibility"
