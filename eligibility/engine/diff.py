"""What changed, in plain Japanese: between two rule documents, and between two results.

``document_diff(old, new)`` compares two rule documents (the shape of ``parse_rules``' input)
field by field and returns one line per change, e.g.

    通常枠 第5次締切 2027年1月20日 を追加
    セキュリティ対策推進枠 補助率（小規模事業者） 2/3 → 3/4
    医療法人 小規模事業者の従業員数 5人以下 → 20人以下

``outcome_changes(before, after)`` compares one screening's outcome per frame (verdict,
eligible, subsidy, next deadline) under two versions; ``change_line`` says one change in words.

Plain Python like the rest of the engine: no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .evaluate import FUNCTION_NAMES as INVOICE_FUNCTIONS
from .format import jdate, yen

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
FUNCTION_NAMES = {"": "なし", **INVOICE_FUNCTIONS}  # a tool's invoice function, or none
CONDITION_NAMES = {
    "always": "常に",
    "wage_plan": "賃金引上げ計画が必要なとき",
    "small_business": "小規模事業者のとき",
    "minimum_wage_near": "最低賃金近傍の事業者のとき",
}
VERDICT_NAMES = {"eligible": "申請可能", "confirm": "要確認", "not_eligible": "対象外"}
SHORT = 40  # longer texts are cut in the lines (the document keeps them whole)


def _short(text: Any) -> str:
    text = "" if text is None else str(text)
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def _yen_or_none(value: Any) -> str:
    return "なし" if value is None else yen(value)


def _people(value: Any) -> str:
    return "上限なし" if value is None else f"{value:,}人以下"


def _flag(value: Any) -> str:
    return "要確認" if value else "確認済み"


def circled(number: Any) -> str:
    if isinstance(number, int) and 1 <= number <= len(CIRCLED):
        return CIRCLED[number - 1]
    return str(number)


def _date(value: Any) -> str:
    if not value:
        return "なし"
    try:
        return jdate(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _text(value: Any) -> str:
    return f"「{_short(value)}」" if value else "（空欄）"


def _fields(
    place: str, old: dict, new: dict, fields: Iterable[tuple[str, str, Callable]]
) -> list[str]:
    """One line per field whose value differs: 「place label old → new」."""
    lines = []
    for key, label, show in fields:
        before, after = old.get(key), new.get(key)
        if before != after:
            lines.append(f"{place} {label} {show(before)} → {show(after)}".lstrip())
    return lines


def _keyed(rows: Any, key: str) -> dict:
    return {row.get(key): row for row in rows or [] if isinstance(row, dict)}


def _keyed_rows(
    old_rows: Any,
    new_rows: Any,
    key: str,
    name: Callable[[dict], str],
    fields: Iterable[tuple[str, str, Callable]],
) -> list[str]:
    """Rows matched by ``key``: added, removed, then changed, in the new document's order."""
    old, new = _keyed(old_rows, key), _keyed(new_rows, key)
    fields = list(fields)
    lines = []
    for k, row in new.items():
        if k not in old:
            lines.append(f"{name(row)} を追加")
    for k, row in old.items():
        if k not in new:
            lines.append(f"{name(row)} を削除")
    for k, row in new.items():
        if k in old:
            lines += _fields(name(old[k]), old[k], row, fields)
    return lines


VERSION_FIELDS = [
    ("programme", "制度名", _text),
    ("notice", "根拠の通知", _text),
    ("guideline_edition", "公募要領の版", _text),
    ("effective_from", "適用開始日", _date),
]
SIZE_FIELDS = [
    ("name", "業種分類", _text),
    ("requirement", "要件", _text),
    ("capital_max_yen", "資本金の上限", _yen_or_none),
    ("employees_max", "従業員数の上限", _people),
    ("source", "出典", _text),
]
LEGAL_FORM_FIELDS = [
    ("name", "名称", _text),
    ("size_category", "規模区分", circled),
    ("applicant_label", "規模区分での扱い", _text),
    ("small_business_max_employees", "小規模事業者の従業員数", _people),
    ("small_business_source", "小規模事業者の基準の出典", _text),
    ("small_business_needs_confirmation", "小規模事業者の基準", _flag),
]
PROCESS_FIELDS = [("name", "プロセス名", _text), ("group", "種別", _text)]
TOOL_FIELDS = [
    ("name", "名称", _text),
    ("process_code", "Pコード", lambda v: v or "なし"),
    ("invoice_function", "インボイスの機能", lambda v: FUNCTION_NAMES.get(v or "", v)),
    ("needs_confirmation", "対応の確認", _flag),
]
FRAME_FIELDS = [
    ("name", "名称", _text),
    ("group", "区分", _text),
    ("goal", "やりたいこと", _text),
    ("summary", "概要", _text),
    ("eligible_costs", "補助対象経費", _text),
    ("source", "出典", _text),
]
CHECKLIST_FIELDS = [
    ("frame_code", "枠", lambda v: v or "すべての枠"),
    ("condition", "条件", lambda v: CONDITION_NAMES.get(v, v)),
    ("source", "出典", _text),
    ("needs_confirmation", "確認", _flag),
]


def param_value_text(kind: str | None, value: Any) -> str:
    """A figure as people read it: 2/3, 1,500,000円, 24, or the text."""
    if value is None:
        return "なし"
    if kind == "yen" and isinstance(value, int):
        return yen(value)
    if kind == "count" and isinstance(value, int):
        return _number(value)
    if kind == "text":
        return _text(value)
    return str(value)


def document_diff(old: dict, new: dict) -> list[str]:
    """Every difference between two rule documents, one plain Japanese line each. The label
    (the version's name) is not a change of the rules and is not listed."""
    lines = _fields("", old, new, VERSION_FIELDS)
    lines += _keyed_rows(
        old.get("size_categories"),
        new.get("size_categories"),
        "number",
        lambda row: f"中小企業の規模区分 {circled(row.get('number'))}",
        SIZE_FIELDS,
    )
    lines += _keyed_rows(
        old.get("legal_forms"),
        new.get("legal_forms"),
        "code",
        lambda row: row.get("name") or row.get("code"),
        LEGAL_FORM_FIELDS,
    )
    lines += _keyed_rows(
        old.get("process_codes"),
        new.get("process_codes"),
        "code",
        lambda row: f"業務プロセス {row.get('code')}",
        PROCESS_FIELDS,
    )
    lines += _keyed_rows(
        old.get("tools"),
        new.get("tools"),
        "code",
        lambda row: f"ITツールの種類「{row.get('name') or row.get('code')}」",
        TOOL_FIELDS,
    )
    old_frames, new_frames = _keyed(old.get("frames"), "code"), _keyed(new.get("frames"), "code")
    for code, frame in new_frames.items():
        if code not in old_frames:
            lines.append(f"枠「{frame.get('name') or code}」を追加")
    for code, frame in old_frames.items():
        if code not in new_frames:
            lines.append(f"枠「{frame.get('name') or code}」を削除")
    for code, frame in new_frames.items():
        if code in old_frames:
            lines += _frame_diff(old_frames[code], frame)
    lines += _checklist_diff(old.get("checklist") or [], new.get("checklist") or [])
    old_stages, new_stages = (
        old.get("application_stages") or [],
        new.get("application_stages") or [],
    )
    if old_stages != new_stages:
        names = lambda stages: "→".join(str(s.get("name")) for s in stages) or "なし"  # noqa: E731
        lines.append(f"申請の段階 {names(old_stages)} → {names(new_stages)}")
    old_days, new_days = old.get("reminder_days") or [], new.get("reminder_days") or []
    if sorted(old_days) != sorted(new_days):
        days = lambda values: "・".join(f"{n}日前" for n in sorted(values, reverse=True)) or "なし"  # noqa: E731
        lines.append(f"締切前のお知らせ {days(old_days)} → {days(new_days)}")
    return lines


def _frame_diff(old: dict, new: dict) -> list[str]:
    name = new.get("name") or new.get("code")
    lines = _fields(name, old, new, FRAME_FIELDS)
    old_params, new_params = _keyed(old.get("params"), "key"), _keyed(new.get("params"), "key")
    for key, param in new_params.items():
        label = param.get("label") or key
        if key not in old_params:
            value = param_value_text(param.get("kind"), param.get("value"))
            lines.append(f"{name} {label} {value} を追加")
            continue
        before = old_params[key]
        if before.get("label") != param.get("label"):
            lines.append(f"{name} 項目名 {_text(before.get('label'))} → {_text(label)}")
        if before.get("kind") != param.get("kind") or before.get("value") != param.get("value"):
            was = param_value_text(before.get("kind"), before.get("value"))
            now = param_value_text(param.get("kind"), param.get("value"))
            lines.append(f"{name} {label} {was} → {now}")
        lines += _fields(
            f"{name} {label}",
            before,
            param,
            [("source", "出典", _text), ("needs_confirmation", "確認", _flag)],
        )
    for key, param in old_params.items():
        if key not in new_params:
            lines.append(f"{name} {param.get('label') or key} を削除")
    old_rounds = _keyed(old.get("rounds"), "number")
    new_rounds = _keyed(new.get("rounds"), "number")
    for number in sorted(set(old_rounds) | set(new_rounds), key=lambda n: (n is None, n)):
        place = f"{name} 第{number}次締切"
        before, after = old_rounds.get(number), new_rounds.get(number)
        if before is None:
            lines.append(f"{place} {_date(after.get('closes_on'))} を追加")
        elif after is None:
            lines.append(f"{place} {_date(before.get('closes_on'))} を削除")
        else:
            if before.get("closes_on") != after.get("closes_on"):
                was, now = _date(before.get("closes_on")), _date(after.get("closes_on"))
                lines.append(f"{place} {was} → {now}")
            lines += _fields(place, before, after, [("source", "出典", _text)])
    return lines


def _checklist_diff(old: list, new: list) -> list[str]:
    """Checklist items have no key: they are matched by their text (an edited text reads as
    one item removed and one added)."""
    remaining = list(old)
    lines, added = [], []
    for item in new:
        match = next((o for o in remaining if o.get("text") == item.get("text")), None)
        if match is None:
            added.append(item)
            continue
        remaining.remove(match)
        lines += _fields(f"チェックリスト{_text(item.get('text'))}", match, item, CHECKLIST_FIELDS)
    lines = [f"チェックリスト{_text(item.get('text'))}を追加" for item in added] + lines
    lines += [f"チェックリスト{_text(item.get('text'))}を削除" for item in remaining]
    return lines


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One frame's result as it is kept for counting (ScreeningOutcome)."""

    verdict: str
    eligible: bool
    subsidy_yen: int
    next_deadline: date | None


@dataclass(frozen=True)
class OutcomeChange:
    """``what``: "verdict", "subsidy", "deadline", "added" or "removed"."""

    frame_code: str
    what: str
    before: Any = None
    after: Any = None

    @property
    def kind(self) -> str:
        """Which count it goes to: eligibility, subsidy or deadline."""
        return {"subsidy": "subsidy", "deadline": "deadline"}.get(self.what, "eligibility")


def outcome_changes(before: dict[str, Outcome], after: dict[str, Outcome]) -> list[OutcomeChange]:
    """How a screening's result differs, frame by frame (frames in the order of ``after``)."""
    changes = []
    for code, new in after.items():
        old = before.get(code)
        if old is None:
            changes.append(OutcomeChange(code, "added", None, new.verdict))
            continue
        if old.verdict != new.verdict or old.eligible != new.eligible:
            changes.append(OutcomeChange(code, "verdict", old.verdict, new.verdict))
        if old.subsidy_yen != new.subsidy_yen:
            changes.append(OutcomeChange(code, "subsidy", old.subsidy_yen, new.subsidy_yen))
        if old.next_deadline != new.next_deadline:
            changes.append(OutcomeChange(code, "deadline", old.next_deadline, new.next_deadline))
    for code, old in before.items():
        if code not in after:
            changes.append(OutcomeChange(code, "removed", old.verdict, None))
    return changes


def change_line(change: OutcomeChange, frame_names: dict[str, str]) -> str:
    """One change in words, e.g. 「通常枠 次の締切 なし → 2027年1月20日」."""
    name = frame_names.get(change.frame_code, change.frame_code)
    if change.what == "added":
        return f"{name} が判定の対象に加わります（{VERDICT_NAMES.get(change.after, '')}）"
    if change.what == "removed":
        return f"{name} が判定の対象から外れます"
    if change.what == "verdict":
        was, now = VERDICT_NAMES.get(change.before), VERDICT_NAMES.get(change.after)
        return f"{name} 判定 {was} → {now}"
    if change.what == "subsidy":
        return f"{name} 補助額 {yen(change.before)} → {yen(change.after)}"
    was = jdate(change.before) if change.before else "なし"
    now = jdate(change.after) if change.after else "なし"
    return f"{name} 次の締切 {was} → {now}"


def change_summary(change: OutcomeChange, frame_names: dict[str, str]) -> str:
    """The same change without the clinic's own amounts, so that many clinics can be counted
    under one line: 「セキュリティ対策推進枠 補助額が増える」."""
    if change.what == "subsidy":
        name = frame_names.get(change.frame_code, change.frame_code)
        return f"{name} 補助額が{'増える' if change.after > change.before else '減る'}"
    return change_line(change, frame_names)
