"""The forms of the rule administration pages: one small form or formset per section of a draft.

Each section reads its part of the rule document and writes it back into a copy of the whole
document; the would-be document is then checked by ``parse_rules`` (one place for "a minimum is
below its maximum", "rounds in date order without gaps", "a rate between 0 and 1"). The fields
only turn what people type into the document's values: rates stay the text ``2/3`` (full-width
accepted), amounts accept 1,500,000 / １５０万 / 150万円, counts accept full-width digits.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date

from django import forms

from clinics import normalize
from clinics.forms import JapaneseDateField, WholeNumberField
from clinics.normalize import nfkc

from .engine.diff import CONDITION_NAMES, FUNCTION_NAMES, circled
from .forms import MAX_YEN, parse_yen

KIND_HELP = {
    "rate": "「2/3」のように分数で入力します。",
    "yen": "円単位（「1,500,000」や「150万」も可）。",
    "count": "0以上の整数。",
    "text": "",
}


class TextField(forms.CharField):
    """Text as typed, trimmed, line ends LF, invisible characters removed (widths are not
    folded: the sources quote the notice's full-width brackets exactly)."""

    def to_python(self, value):
        return normalize.lines(super().to_python(value))


class LabelField(forms.CharField):
    """A version's name: full-width digits and the full-width period are accepted."""

    def to_python(self, value):
        return normalize.text(super().to_python(value)).replace(" ", "")


class RateField(forms.CharField):
    """A rate as the document keeps it: '2/3'. Whether it is a usable rate is parse_rules'
    to say, with the name of the figure."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="text", autocomplete="off", **{"class": "short"})

    def to_python(self, value):
        return nfkc(super().to_python(value)).replace(" ", "").replace("÷", "/")


class YenField(forms.CharField):
    default_error_messages = {
        "invalid": "金額は「1,500,000」や「150万」のように、1円単位の数字で入力してください。",
        "too_large": "金額が大きすぎます。桁をご確認ください。",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", autocomplete="off", **{"class": "short"})

    def to_python(self, value):
        raw = super().to_python(value)
        if not raw:
            return None
        amount = parse_yen(raw)
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if amount > MAX_YEN * 100:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return amount

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return value


class CountField(WholeNumberField):
    units = ("人",)

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("error_messages", {"invalid": "0以上の整数で入力してください。"})
        super().__init__(**kwargs)
        self.widget = forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "count"}
        )


def _source(**kwargs) -> TextField:
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "class": "source-input"}))
    return TextField(label="出典", max_length=300, **kwargs)


def _small_textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "text-input"})


# --- sections -------------------------------------------------------------------------------


class MetaForm(forms.Form):
    programme = TextField(label="制度名", max_length=100)
    notice = TextField(label="根拠の通知", max_length=300, widget=_small_textarea())
    guideline_edition = TextField(label="公募要領の版", max_length=300, widget=_small_textarea())
    effective_from = JapaneseDateField(
        label="適用開始日", required=False, help_text="公開するときにも指定できます。"
    )


class FrameTextsForm(forms.Form):
    """What a frame is called and how it is explained to clinics (the wizard, the result)."""

    name = TextField(label="名称", max_length=100)
    group = TextField(
        label="区分", max_length=100, required=False, help_text="類型のときに属する枠の名前。"
    )
    goal = TextField(
        label="やりたいこと（医療機関の言葉で）",
        max_length=100,
        help_text="確認の「やりたいこと」の選択肢として表示します。",
    )
    summary = TextField(label="概要", widget=_small_textarea(4))
    eligible_costs = TextField(label="補助対象経費", widget=_small_textarea(4))
    source = _source()


class ParamsForm(forms.Form):
    """The figures of one frame: for each, its value, its source and whether it is 要確認."""

    def __init__(self, *args, params: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.params = params
        for p in params:
            key, kind = p["key"], p["kind"]
            if kind == "rate":
                field = RateField(label=p["label"], help_text=KIND_HELP[kind])
            elif kind == "yen":
                field = YenField(label=p["label"], help_text=KIND_HELP[kind])
            elif kind == "count":
                field = CountField(label=p["label"], help_text=KIND_HELP[kind])
            else:
                field = TextField(label=p["label"], widget=_small_textarea(3))
            self.fields[key] = field
            self.fields[f"{key}__source"] = _source()
            self.fields[f"{key}__confirm"] = forms.BooleanField(label="要確認", required=False)
            self.initial.setdefault(key, p["value"])
            self.initial.setdefault(f"{key}__source", p["source"])
            self.initial.setdefault(f"{key}__confirm", p.get("needs_confirmation", False))

    def rows(self):
        for p in self.params:
            key = p["key"]
            yield self[key], self[f"{key}__source"], self[f"{key}__confirm"]

    def values(self) -> list[dict]:
        data = self.cleaned_data
        return [
            p
            | {
                "value": data[p["key"]],
                "source": data[f"{p['key']}__source"],
                "needs_confirmation": data[f"{p['key']}__confirm"],
            }
            for p in self.params
        ]


class RoundForm(forms.Form):
    number = CountField(label="回次", min_value=1)
    closes_on = JapaneseDateField(label="申請締切日")
    source = _source(help_text="例：事務局の発表（2026年12月1日）")


class SizeCategoryForm(forms.Form):
    name = TextField(label="業種分類", max_length=200, widget=_small_textarea(3))
    requirement = TextField(label="要件", widget=_small_textarea(3))
    capital_max_yen = YenField(label="資本金の上限", required=False)
    employees_max = CountField(label="従業員数の上限", required=False)
    source = _source()


class LegalFormForm(forms.Form):
    """A kind of applicant. Its code is what screenings' answers keep: fixed once saved."""

    code = forms.RegexField(
        label="コード",
        regex=r"^[a-z][a-z0-9_]*$",
        max_length=40,
        error_messages={"invalid": "コードは半角英小文字・数字・下線で入力してください。"},
    )
    name = TextField(label="名称", max_length=50)
    size_category = CountField(label="規模区分の番号", min_value=1)
    applicant_label = TextField(
        label="規模区分での扱い", max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )
    small_business_max_employees = CountField(
        label="小規模事業者の従業員数（以下）",
        help_text="常時使用する従業員がこの人数以下なら小規模事業者として計算します。",
    )
    small_business_source = _source()
    small_business_needs_confirmation = forms.BooleanField(label="要確認", required=False)


class ProcessCodeForm(forms.Form):
    code = TextField(label="Pコード", max_length=20)
    name = TextField(label="プロセス名", max_length=200)
    group = TextField(label="種別", max_length=50)


class ToolForm(forms.Form):
    code = forms.SlugField(
        label="コード",
        max_length=40,
        error_messages={"invalid": "コードは半角英数字・ハイフン・下線で入力してください。"},
    )
    name = TextField(label="名称", max_length=100)
    process_code = forms.ChoiceField(label="Pコード", required=False)
    invoice_function = forms.ChoiceField(
        label="インボイスの機能", required=False, choices=list(FUNCTION_NAMES.items())
    )
    needs_confirmation = forms.BooleanField(label="要確認", required=False)

    def __init__(self, *args, process_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process_code"].choices = [("", "なし"), *((c, c) for c in process_codes)]


class ChecklistForm(forms.Form):
    text = TextField(label="準備すること", widget=_small_textarea(3))
    frame_code = forms.ChoiceField(label="枠", required=False)
    condition = forms.ChoiceField(label="条件", choices=list(CONDITION_NAMES.items()))
    source = _source()
    needs_confirmation = forms.BooleanField(label="要確認", required=False)

    def __init__(self, *args, frames=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frame_code"].choices = [("", "すべての枠"), *frames]


MILESTONE_NAMES = {"applied": "申請した", "adopted": "採択された", "granted": "補助金を受領した"}


class StageForm(forms.Form):
    code = TextField(label="コード", max_length=40, help_text="半角英小文字・数字・下線")
    name = TextField(label="段階の名前", max_length=100)
    milestones = forms.MultipleChoiceField(
        label="集計での到達点",
        choices=list(MILESTONE_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="医師会の集計で、この段階の医療機関を数える到達点",
    )
    records_application = forms.BooleanField(label="申請の回・日付・番号を記録する", required=False)
    source = _source()


class RemindersForm(forms.Form):
    reminder_days = LabelField(
        label="締切の何日前にお知らせするか",
        required=False,
        help_text="「14, 3」のように日数を区切って入力します（1～90日）。空欄なら送りません。",
    )

    def clean_reminder_days(self) -> list[int]:
        text = nfkc(self.cleaned_data["reminder_days"]).strip()
        parts = [p for p in re.split(r"[,、\s]+", text) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("日数は「14, 3」のように整数で入力してください。")
        return [int(p) for p in parts]


def _formset(form, *, extra: int, can_delete: bool, fixed: int | None = None):
    return forms.formset_factory(
        form,
        extra=extra,
        can_delete=can_delete,
        min_num=fixed or 0,
        max_num=fixed if fixed is not None else 1000,
        validate_min=fixed is not None,
        validate_max=True,
    )


@dataclass(frozen=True)
class Section:
    """One editable part of a draft. ``key`` is its URL part, ``title`` how people call it."""

    key: str
    title: str
    kind: str  # meta, texts, params, rounds, sizes, legal_forms, processes, tools, checklist,
    # stages, reminders
    frame_code: str = ""

    def form(self, document: dict, data=None):
        """The form (or formset) of this section, filled from ``document`` (or bound)."""
        form = self._form(document, data)
        for i, row in enumerate(getattr(form, "forms", []), 1):
            row.row_name = getattr(row, "row_head", "") or (
                f"{i}行目" if i <= form.initial_form_count() else "追加する行"
            )
        return form

    def _form(self, document: dict, data=None):
        prefix = self.key
        if self.kind == "meta":
            initial = {k: document.get(k) for k in MetaForm.base_fields}
            return MetaForm(data, initial=initial, prefix=prefix)
        if self.kind == "texts":
            frame = self._frame(document)
            initial = {k: frame.get(k, "") for k in FrameTextsForm.base_fields}
            return FrameTextsForm(data, initial=initial, prefix=prefix)
        if self.kind == "params":
            return ParamsForm(data, params=self._frame(document)["params"], prefix=prefix)
        if self.kind == "rounds":
            rounds = self._frame(document)["rounds"]
            formset = _formset(RoundForm, extra=1, can_delete=True)(
                data, initial=rounds, prefix=prefix
            )
            next_number = max((r["number"] for r in rounds), default=0) + 1
            for extra in formset.extra_forms:
                extra.initial = {"number": next_number}
            return formset
        if self.kind == "sizes":
            rows = document["size_categories"]
            formset = _formset(SizeCategoryForm, extra=0, can_delete=False, fixed=len(rows))(
                data, initial=rows, prefix=prefix
            )
            return _row_heads(formset, "番号", [circled(r["number"]) for r in rows])
        if self.kind == "legal_forms":
            formset = _formset(LegalFormForm, extra=1, can_delete=False)(
                data, initial=document["legal_forms"], prefix=prefix
            )
            for saved in formset.initial_forms:
                saved.fields["code"].disabled = True
            return formset
        if self.kind == "processes":
            return _formset(ProcessCodeForm, extra=1, can_delete=True)(
                data, initial=document["process_codes"], prefix=prefix
            )
        if self.kind == "tools":
            codes = [p["code"] for p in document["process_codes"]]
            return _formset(ToolForm, extra=1, can_delete=True)(
                data,
                initial=document["tools"],
                prefix=prefix,
                form_kwargs={"process_codes": codes},
            )
        if self.kind == "stages":
            return _formset(StageForm, extra=1, can_delete=True)(
                data, initial=document.get("application_stages", []), prefix=prefix
            )
        if self.kind == "reminders":
            days = ", ".join(str(n) for n in document.get("reminder_days", []))
            return RemindersForm(data, initial={"reminder_days": days}, prefix=prefix)
        frames = [(f["code"], f["name"]) for f in document["frames"]]
        return _formset(ChecklistForm, extra=1, can_delete=True)(
            data, initial=document["checklist"], prefix=prefix, form_kwargs={"frames": frames}
        )

    def apply(self, document: dict, form) -> dict:
        """A copy of ``document`` with this section replaced by the valid ``form``'s values."""
        doc = copy.deepcopy(document)
        if self.kind == "meta":
            data = form.cleaned_data
            doc.update({k: data[k] for k in ("programme", "notice", "guideline_edition")})
            effective_from: date | None = data["effective_from"]
            doc["effective_from"] = effective_from.isoformat() if effective_from else None
        elif self.kind == "texts":
            self._frame(doc).update(form.cleaned_data)
        elif self.kind == "params":
            self._frame(doc)["params"] = form.values()
        elif self.kind == "rounds":
            self._frame(doc)["rounds"] = [
                {
                    "number": row["number"],
                    "closes_on": row["closes_on"].isoformat(),
                    "source": row["source"],
                }
                for row in _kept(form)
            ]
        elif self.kind == "sizes":
            doc["size_categories"] = [
                {"number": old["number"]} | _ordered(row, SizeCategoryForm)
                for old, row in zip(document["size_categories"], _rows(form), strict=True)
            ]
        elif self.kind == "legal_forms":
            doc["legal_forms"] = [_ordered(row, LegalFormForm) for row in _kept(form)]
        elif self.kind == "processes":
            doc["process_codes"] = [_ordered(row, ProcessCodeForm) for row in _kept(form)]
        elif self.kind == "tools":
            doc["tools"] = [_ordered(row, ToolForm) for row in _kept(form)]
        elif self.kind == "stages":
            doc["application_stages"] = [
                _ordered(row, StageForm)
                | {"milestones": [m for m in MILESTONE_NAMES if m in row["milestones"]]}
                for row in _kept(form)
            ]
        elif self.kind == "reminders":
            doc["reminder_days"] = form.cleaned_data["reminder_days"]
        else:
            doc["checklist"] = [_ordered(row, ChecklistForm) for row in _kept(form)]
        return doc

    def _frame(self, document: dict) -> dict:
        return next(f for f in document["frames"] if f["code"] == self.frame_code)


def _row_heads(formset, label: str, heads: list[str]):
    """What names each fixed row (the size table's ①…⑮, the legal form), shown beside it."""
    formset.row_head_label = label
    for form, head in zip(formset.forms, heads, strict=False):
        form.row_head = head
    return formset


def _rows(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms]


def _kept(formset) -> list[dict]:
    """The rows that are filled in and not marked for deletion, in the order shown."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _ordered(row: dict, form_class) -> dict:
    return {name: row[name] for name in form_class.base_fields}


def sections(document: dict) -> list[Section]:
    """The sections of a version's page, in the order shown."""
    found = [Section("meta", "版の情報", "meta")]
    for frame in document["frames"]:
        code, name = frame["code"], frame["name"]
        found.append(Section(f"texts-{code}", f"{name}の名称と説明", "texts", code))
        found.append(Section(f"params-{code}", f"{name}の数値", "params", code))
        found.append(Section(f"rounds-{code}", f"{name}の申請締切", "rounds", code))
    found += [
        Section("sizes", "中小企業の規模区分", "sizes"),
        Section("legal_forms", "開設主体と小規模事業者の想定", "legal_forms"),
        Section("processes", "業務プロセス（Pコード）", "processes"),
        Section("tools", "ITツールの種類", "tools"),
        Section("checklist", "チェックリスト", "checklist"),
        Section("stages", "申請の段階（申請の状況の記録と集計）", "stages"),
        Section("reminders", "締切前のお知らせメール", "reminders"),
    ]
    return found


def section_get(document: dict, key: str) -> Section | None:
    return next((s for s in sections(document) if s.key == key), None)


class CloneForm(forms.Form):
    label = LabelField(
        label="新しい版の名前",
        max_length=20,
        error_messages={"required": "版の名前を入力してください（例：2026.2）。"},
        help_text="半角英数字とピリオドで入力します（例：2026.2）。",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="ルールの版のファイル（JSON）",
        help_text="この画面の「JSONで書き出す」で保存したファイルです。下書きとして読み込みます。",
        error_messages={"required": "ファイルを選んでください。"},
    )


class PublishForm(forms.Form):
    effective_from = JapaneseDateField(label="適用開始日")
    rescreen = forms.BooleanField(
        label="公開後に、保存済みの確認をこの版で再判定する（結果が変わる医療機関にお知らせが表示されます）",
        required=False,
        initial=True,
    )
