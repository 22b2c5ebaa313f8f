"""The rule document: a version of the programme's rules as plain JSON-ready data.

It is the one shape the rules take: what a RuleVersion stores, the 2026 data file in the
repository, an export, an import, and the input of a diff. ``parse_rules`` checks it (its keys
are those of FIELDS, nothing else) and builds a RuleSet; problems are reported in Japanese,
naming the place, all at once.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Any

from gmpy2 import mpq

from .types import (
    FORMULA_NAMES,
    INVOICE_FUNCTIONS,
    MILESTONES,
    ApplicationStage,
    ChecklistItem,
    FrameRules,
    LegalFormRules,
    Param,
    ProcessCode,
    Round,
    RuleSet,
    SizeCategory,
    Tool,
)

FORMAT = 1
CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a legal form's code, as answers keep it
FRAME_CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,19}")  # a frame's code (ScreeningOutcome keeps it)
CONDITIONS = ("always", "wage_plan", "small_business", "minimum_wage_near")

# The figures each formula reads: key -> kind. The values are data; this is the shape. A frame
# names its formula (``"formula"``; when absent, its code is the formula's name).
FRAME_PARAMS: dict[str, dict[str, str]] = {
    "normal": {
        "rate": "rate",
        "rate_minimum_wage_near": "rate",
        "minimum_wage_near_test": "text",
        "small_band_max_processes": "count",
        "small_band_min_yen": "yen",
        "small_band_limit_yen": "yen",
        "large_band_min_yen": "yen",
        "large_band_max_yen": "yen",
        "wage_plan_requirement": "text",
        "cloud_max_months": "count",
    },
    "multi": {
        "min_members": "count",
        "analysis_per_member_yen": "yen",
        "rate_analysis": "rate",
        "ab_max_yen": "yen",
        "rate_admin": "rate",
        "admin_max_yen": "yen",
    },
    "invoice": {
        "tier_limit_yen": "yen",
        "rate_tier1": "rate",
        "rate_tier1_small": "rate",
        "rate_tier2": "rate",
        "one_function_max_yen": "yen",
        "multi_function_max_yen": "yen",
        "pc_rate": "rate",
        "pc_max_yen": "yen",
        "register_rate": "rate",
        "register_max_yen": "yen",
        "min_yen": "yen",
        "cloud_max_months": "count",
    },
    "e_trade": {
        "rate": "rate",
        "rate_large": "rate",
        "max_yen": "yen",
        "role_requirement": "text",
        "cloud_max_months": "count",
    },
    "security": {
        "rate": "rate",
        "rate_small": "rate",
        "min_yen": "yen",
        "max_yen": "yen",
        "service_requirement": "text",
        "service_max_months": "count",
    },
}

# (minimum, maximum) pairs that must be in order.
ORDERED_PAIRS = {
    "normal": [
        ("small_band_min_yen", "small_band_limit_yen"),
        ("small_band_limit_yen", "large_band_max_yen"),
        ("large_band_min_yen", "large_band_max_yen"),
    ],
    "invoice": [
        ("min_yen", "one_function_max_yen"),
        ("one_function_max_yen", "multi_function_max_yen"),
    ],
    "security": [("min_yen", "max_yen")],
}

KIND_NAMES = {"rate": "補助率", "yen": "金額（円）", "count": "数", "text": "文"}

# The keys of each part of a document, in the order of the shipped files.
FIELDS = {
    "version": (
        *("format", "label", "programme", "effective_from", "notice", "guideline_edition"),
        *("size_categories", "legal_forms", "process_codes", "tools", "frames", "checklist"),
        *("application_stages", "reminder_days"),
    ),
    "size_categories": (
        *("number", "name", "requirement", "capital_max_yen", "employees_max", "source"),
    ),
    "legal_forms": (
        *("code", "name", "size_category", "applicant_label", "small_business_max_employees"),
        *("small_business_source", "small_business_needs_confirmation"),
    ),
    "process_codes": ("code", "name", "group"),
    "tools": ("code", "name", "process_code", "invoice_function", "needs_confirmation"),
    "frames": (
        *("code", "formula", "name", "group", "goal", "summary", "eligible_costs", "source"),
        *("params", "rounds"),
    ),
    "params": ("key", "label", "kind", "value", "source", "needs_confirmation"),
    "rounds": ("number", "closes_on", "source"),
    "checklist": ("text", "frame_code", "condition", "source", "needs_confirmation"),
    "application_stages": ("code", "name", "milestones", "records_application", "source"),
}


class RulesError(ValueError):
    """The document is not a usable rule version; ``problems`` says where and why."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_rate(raw: Any) -> mpq:
    """'2/3' -> mpq(2, 3); a rate is more than 0 and at most 1."""
    if not isinstance(raw, str) or raw.count("/") != 1:
        raise ValueError("「2/3」のように分数で入力してください")
    top, bottom = (part.strip() for part in raw.split("/"))
    if len(top) > 18 or len(bottom) > 18:  # int() refuses thousands of digits, in English
        raise ValueError("分子と分母は18桁までの整数にしてください")
    if not (top.isdecimal() and bottom.isdecimal()) or int(bottom) == 0:
        raise ValueError("「2/3」のように分数で入力してください")
    value = mpq(int(top), int(bottom))
    if not 0 < value <= 1:
        raise ValueError("補助率は0より大きく1以下にしてください")
    return value


def parse_param_value(kind: str, raw: Any) -> mpq | int | str:
    if kind == "rate":
        return parse_rate(raw)
    if kind in ("yen", "count"):
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ValueError("0以上の整数で入力してください")
        return raw
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("文を入力してください")
    if "\x00" in raw:
        raise ValueError("使えない制御文字（NUL）が含まれています")
    return raw


def document_in_order(doc: dict) -> dict:
    """A valid document with its keys in the order of FIELDS (a JSON column need not keep the
    order; an export keeps the shipped files' own)."""

    def ordered(row: dict, part: str) -> dict:
        return {key: row[key] for key in FIELDS[part] if key in row}

    found = ordered(doc, "version")
    for part in ("size_categories", "legal_forms", "process_codes", "tools", "checklist"):
        found[part] = [ordered(row, part) for row in doc[part]]
    if "application_stages" in doc:
        found["application_stages"] = [
            ordered(row, "application_stages") for row in doc["application_stages"]
        ]
    if "reminder_days" in doc:
        found["reminder_days"] = doc["reminder_days"]
    found["frames"] = [
        ordered(frame, "frames")
        | {
            "params": [ordered(p, "params") for p in frame["params"]],
            "rounds": [ordered(r, "rounds") for r in frame["rounds"]],
        }
        for frame in doc["frames"]
    ]
    return found


class _Reader:
    """Collects problems while reading a document, so the caller hears of all of them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def get(self, data: Any, key: str, kind: type | tuple, where: str, *, optional=False):
        if not isinstance(data, dict):
            self.problems.append(f"{where}: オブジェクトではありません")
            return None
        if key not in data:
            if not optional:
                self.problems.append(f"{where}: 「{key}」がありません")
            return None
        value = data[key]
        if value is None and optional:
            return None
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            self.problems.append(f"{where}: 「{key}」の形が正しくありません")
            return None
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot keep it
            self.problems.append(f"{where}: 「{key}」に使えない制御文字（NUL）が含まれています")
            return None
        return value

    def date(self, data: Any, key: str, where: str, *, optional=False) -> date | None:
        raw = self.get(data, key, str, where, optional=optional)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problems.append(f"{where}: 「{key}」は YYYY-MM-DD の日付にしてください（{raw}）")
            return None

    def items(self, data: Any, key: str, where: str) -> list:
        value = self.get(data, key, list, where)
        return value or []

    def known(self, data: Any, part: str, where: str) -> None:
        """Every key of ``data`` is one of ``part``'s (the document has one shape)."""
        if isinstance(data, dict):
            for key in data:
                if key not in FIELDS[part]:
                    self.problems.append(f"{where}: 「{key}」という項目はありません")


def parse_rules(doc: Any, *, status: str = "draft") -> RuleSet:
    """Check a rule document and build the RuleSet; raise RulesError listing every problem."""
    r = _Reader()
    where = "版"
    r.known(doc, "version", where)
    if r.get(doc, "format", int, where) not in (None, FORMAT):
        r.problems.append(f"版: 形式 {doc.get('format')} には対応していません（対応: {FORMAT}）")
    label = r.get(doc, "label", str, where) or ""
    programme = r.get(doc, "programme", str, where) or ""
    notice = r.get(doc, "notice", str, where) or ""
    edition = r.get(doc, "guideline_edition", str, where) or ""
    effective_from = r.date(doc, "effective_from", where, optional=True)
    for key, name, value in (
        ("programme", "制度名", programme),
        ("notice", "根拠の通知", notice),
        ("guideline_edition", "公募要領の版", edition),
    ):
        if key in doc and isinstance(value, str) and not value.strip():
            r.problems.append(f"{where}: 「{name}」（{key}）を入力してください")

    categories = {}
    for i, row in enumerate(r.items(doc, "size_categories", where), 1):
        at = f"中小企業の規模区分 {i}行目"
        r.known(row, "size_categories", at)
        number = r.get(row, "number", int, at)
        category = SizeCategory(
            number=number or 0,
            name=r.get(row, "name", str, at) or "",
            requirement=r.get(row, "requirement", str, at) or "",
            capital_max_yen=r.get(row, "capital_max_yen", int, at, optional=True),
            employees_max=r.get(row, "employees_max", int, at, optional=True),
            source=r.get(row, "source", str, at) or "",
        )
        if number in categories:
            r.problems.append(f"{at}: 番号 {number} が重複しています")
        categories[category.number] = category

    legal_forms = {}
    for i, row in enumerate(r.items(doc, "legal_forms", where), 1):
        at = f"開設主体 {i}行目"
        r.known(row, "legal_forms", at)
        code = r.get(row, "code", str, at) or ""
        if not CODE_RE.fullmatch(code):
            r.problems.append(f"{at}: コードは半角英小文字・数字・下線で書いてください（{code}）")
        elif code in legal_forms:
            r.problems.append(f"{at}: コード {code} が重複しています")
        category_number = r.get(row, "size_category", int, at) or 0
        if category_number not in categories:
            r.problems.append(f"{at}: 規模区分 {category_number} がありません")
        elif categories[category_number].employees_max is None:
            r.problems.append(f"{at}: 規模区分 {category_number} に従業員数の上限がありません")
        small = r.get(row, "small_business_max_employees", int, at)
        if small is not None and small < 0:
            r.problems.append(f"{at}: 小規模事業者の従業員数は0以上にしてください")
        legal_forms[code] = LegalFormRules(
            code=code,
            name=r.get(row, "name", str, at) or "",
            size_category=category_number,
            applicant_label=r.get(row, "applicant_label", str, at) or "",
            small_business_max_employees=small or 0,
            small_business_source=r.get(row, "small_business_source", str, at) or "",
            small_business_needs_confirmation=bool(
                r.get(row, "small_business_needs_confirmation", bool, at)
            ),
        )
    if not legal_forms and isinstance(doc, dict) and isinstance(doc.get("legal_forms"), list):
        r.problems.append("開設主体: 1行以上必要です")

    processes = {}
    for i, row in enumerate(r.items(doc, "process_codes", where), 1):
        at = f"プロセス {i}行目"
        r.known(row, "process_codes", at)
        code = r.get(row, "code", str, at) or ""
        if code in processes:
            r.problems.append(f"{at}: プロセスコード {code} が重複しています")
        processes[code] = ProcessCode(
            code=code,
            name=r.get(row, "name", str, at) or "",
            group=r.get(row, "group", str, at) or "",
        )

    tools = {}
    for i, row in enumerate(r.items(doc, "tools", where), 1):
        at = f"ITツールの種類 {i}行目"
        r.known(row, "tools", at)
        code = r.get(row, "code", str, at) or ""
        process_code = r.get(row, "process_code", str, at) or ""
        function = r.get(row, "invoice_function", str, at, optional=True) or ""
        if process_code and process_code not in processes:
            r.problems.append(f"{at}: プロセスコード {process_code} がありません")
        if function and function not in INVOICE_FUNCTIONS:
            r.problems.append(f"{at}: インボイスの機能「{function}」は使えません")
        if code in tools:
            r.problems.append(f"{at}: コード {code} が重複しています")
        tools[code] = Tool(
            code=code,
            name=r.get(row, "name", str, at) or "",
            process_code=process_code,
            invoice_function=function,
            needs_confirmation=bool(r.get(row, "needs_confirmation", bool, at)),
        )

    frames = {}
    for i, row in enumerate(r.items(doc, "frames", where), 1):
        at = f"枠 {i}行目"
        r.known(row, "frames", at)
        code = r.get(row, "code", str, at) or ""
        name = r.get(row, "name", str, at) or code
        formula = r.get(row, "formula", str, at, optional=True) or code
        if not CODE_RE.fullmatch(code):
            r.problems.append(
                f"{at}: 枠のコードは半角英小文字・数字・下線で書いてください（{code}）"
            )
            continue
        if formula not in FORMULA_NAMES:
            r.problems.append(
                f"{at}: 計算式「{formula}」はありません（{' / '.join(FORMULA_NAMES)} のいずれか）"
            )
            continue
        if code in frames:
            r.problems.append(f"{name}: 枠が重複しています")
        frames[code] = _parse_frame(r, row, code, formula, name)
    formulas = {frame.formula for frame in frames.values()}
    if not frames and isinstance(doc, dict) and isinstance(doc.get("frames"), list):
        r.problems.append("枠: 1つ以上必要です")
    if "multi" in formulas and "invoice" not in formulas:
        r.problems.append("枠: 複数者連携の計算にはインボイス対応類型の計算式の枠が必要です")

    checklist = []
    for i, row in enumerate(r.items(doc, "checklist", where), 1):
        at = f"チェックリスト {i}行目"
        r.known(row, "checklist", at)
        frame_code = r.get(row, "frame_code", str, at, optional=True) or ""
        condition = r.get(row, "condition", str, at) or "always"
        if frame_code and frame_code not in frames:
            r.problems.append(f"{at}: 枠のコード「{frame_code}」は使えません")
        if condition not in CONDITIONS:
            r.problems.append(f"{at}: 条件「{condition}」は使えません")
        checklist.append(
            ChecklistItem(
                text=r.get(row, "text", str, at) or "",
                frame_code=frame_code,
                condition=condition,
                source=r.get(row, "source", str, at) or "",
                needs_confirmation=bool(r.get(row, "needs_confirmation", bool, at)),
            )
        )

    stages = _parse_stages(r, doc)
    reminder_days = r.get(doc, "reminder_days", list, where, optional=True) or []
    if any(
        isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 90 for n in reminder_days
    ):
        r.problems.append("版: 締切前のお知らせ（reminder_days）は1～90の日数の一覧にしてください")
    elif len(set(reminder_days)) != len(reminder_days):
        r.problems.append("版: 締切前のお知らせ（reminder_days）に同じ日数が重複しています")

    if r.problems:
        raise RulesError(r.problems)
    return RuleSet(
        label=label,
        programme=programme,
        status=status,
        effective_from=effective_from,
        notice=notice,
        guideline_edition=edition,
        frames=frames,
        size_categories=dict(sorted(categories.items())),
        legal_forms=legal_forms,
        process_codes=processes,
        tools=tools,
        checklist=tuple(checklist),
        application_stages=stages,
        reminder_days=tuple(sorted(reminder_days, reverse=True)),
    )


def _parse_stages(r: _Reader, doc: Any) -> tuple[ApplicationStage, ...]:
    """The stages of an application (optional: a document without them records none)."""
    stages, codes = [], set()
    rows = r.get(doc, "application_stages", list, "版", optional=True) or []
    for i, row in enumerate(rows, 1):
        at = f"申請の段階 {i}行目"
        r.known(row, "application_stages", at)
        code = r.get(row, "code", str, at) or ""
        if not CODE_RE.fullmatch(code):
            r.problems.append(f"{at}: コードは半角英小文字・数字・下線で書いてください（{code}）")
        elif code in codes:
            r.problems.append(f"{at}: コード {code} が重複しています")
        codes.add(code)
        milestones = r.get(row, "milestones", list, at) or []
        unknown = [m for m in milestones if m not in MILESTONES]
        if unknown:
            r.problems.append(
                f"{at}: 到達点「{'、'.join(map(str, unknown))}」は使えません（{' / '.join(MILESTONES)}）"
            )
        stages.append(
            ApplicationStage(
                code=code,
                name=r.get(row, "name", str, at) or "",
                milestones=frozenset(m for m in milestones if m in MILESTONES),
                records_application=bool(
                    r.get(row, "records_application", bool, at, optional=True)
                ),
                source=r.get(row, "source", str, at) or "",
            )
        )
    if stages and sum(stage.records_application for stage in stages) != 1:
        r.problems.append(
            "申請の段階: 申請の回・日付・番号を記録する段階（records_application）を1つにしてください"
        )
    return tuple(stages)


def _parse_frame(r: _Reader, row: dict, code: str, formula: str, name: str) -> FrameRules:
    params = {}
    seen = set()
    for j, prow in enumerate(r.items(row, "params", name), 1):
        r.known(prow, "params", f"{name} 数値 {j}行目")
        key = r.get(prow, "key", str, f"{name} 数値 {j}行目") or ""
        seen.add(key)
        label = r.get(prow, "label", str, f"{name} {key}") or key
        at = f"{name}の「{label}」"
        expected = FRAME_PARAMS[formula].get(key)
        if expected is None:
            r.problems.append(f"{at}: この枠では使わない項目です（{key}）")
            continue
        kind = r.get(prow, "kind", str, at)
        if kind != expected:
            r.problems.append(f"{at}: 種類は「{KIND_NAMES[expected]}」にしてください")
            continue
        try:
            value = parse_param_value(kind, prow.get("value"))
        except ValueError as error:
            r.problems.append(f"{at}: {error}")
            continue
        params[key] = Param(
            key=key,
            label=label,
            kind=kind,
            value=value,
            source=r.get(prow, "source", str, at) or "",
            needs_confirmation=bool(r.get(prow, "needs_confirmation", bool, at, optional=True)),
        )
    for key in FRAME_PARAMS[formula]:
        if key not in seen:
            r.problems.append(f"{name}: 項目「{key}」がありません")
    for low, high in ORDERED_PAIRS.get(formula, []):
        if low in params and high in params and params[low].value >= params[high].value:
            r.problems.append(
                f"{name}: 「{params[low].label}」は「{params[high].label}」より小さくしてください"
            )

    rounds = []
    for j, rrow in enumerate(r.items(row, "rounds", name), 1):
        at = f"{name} 締切 {j}行目"
        r.known(rrow, "rounds", at)
        number = r.get(rrow, "number", int, at)
        closes_on = r.date(rrow, "closes_on", at)
        if number is None or closes_on is None:
            continue
        rounds.append(Round(number, closes_on, r.get(rrow, "source", str, at) or ""))
    rounds.sort(key=lambda x: x.number)
    for j, round_ in enumerate(rounds, 1):
        if round_.number != j:
            r.problems.append(
                f"{name}: 締切の回次は1から順に欠番なく付けてください（第{j}次がありません）"
            )
            break
    for earlier, later in pairwise(rounds):
        if earlier.closes_on >= later.closes_on:
            r.problems.append(
                f"{name}: 第{later.number}次の締切は第{earlier.number}次より後の日付にしてください"
            )

    return FrameRules(
        code=code,
        name=name,
        formula=formula,
        group=r.get(row, "group", str, name, optional=True) or "",
        goal=r.get(row, "goal", str, name) or "",
        summary=r.get(row, "summary", str, name) or "",
        eligible_costs=r.get(row, "eligible_costs", str, name) or "",
        source=r.get(row, "source", str, name) or "",
        params=params,
        rounds=tuple(rounds),
    )
