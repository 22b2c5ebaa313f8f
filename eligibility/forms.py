"""The wizard's forms, one per step. Money accepts 1,200,000 / 1200000 / full-width digits /
120万 / 120万円; yes/no questions allow 「わからない」 where the clinic may not know yet."""

import re
from decimal import Decimal, InvalidOperation, localcontext

from django import forms

from clinics.forms import HeadcountField, JapaneseDateField, PlainCharField, WholeNumberField
from clinics.normalize import nfkc
from eligibility.engine.format import jdate
from eligibility.engine.types import FrameRules, RuleSet

MAX_YEN = 10**10  # 100億円: larger is a typing mistake
# digits 0-9 only (Decimal, like int(), would take '٣'), thousands separators every 3 digits
_MONEY_RE = re.compile(r"^((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)(万)?円?$")
_MAX_MONEY_DIGITS = 4000


def parse_yen(raw: str) -> int | None:
    """'１２０万円' -> 1200000; None when it is not an amount. The arithmetic is exact (the
    default 28 digits of Decimal would round 1.00000000000000000000000000001万 to 10000);
    thousands of digits are not an amount (int() refuses to convert them)."""
    text = nfkc(raw).replace(" ", "").replace("¥", "")
    match = _MONEY_RE.match(text)
    if not match or len(match.group(1)) > _MAX_MONEY_DIGITS:
        return None
    digits = match.group(1).replace(",", "")
    try:
        with localcontext(prec=len(digits) + 10):
            number = Decimal(digits) * (10_000 if match.group(2) else 1)
    except InvalidOperation:
        return None
    if number != number.to_integral_value():
        return None
    return int(number)


class MoneyField(forms.CharField):
    default_error_messages = {
        "invalid": "金額は「1,200,000」や「120万」のように、1円単位の数字で入力してください。",
        "too_large": "金額が大きすぎます。桁をご確認ください。",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(inputmode="numeric", autocomplete="off")

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return 0
        amount = parse_yen(text)
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if amount > MAX_YEN:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return amount

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}" if value else ""
        return value


class MonthsField(WholeNumberField):
    units = ("か月", "ヶ月", "カ月")

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 120)
        kwargs.setdefault("error_messages", {"invalid": "月数は0以上の整数で入力してください。"})
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        return super().to_python(value) or 0


YES_NO_UNKNOWN = [("yes", "はい"), ("no", "いいえ"), ("unknown", "わからない")]


def to_answer(choice: str) -> bool | None:
    return {"yes": True, "no": False}.get(choice)


def from_answer(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "unknown")


class ApplicantForm(forms.Form):
    legal_form = forms.ChoiceField(label="開設主体", widget=forms.RadioSelect)
    employees = HeadcountField(
        label="常時使用する従業員数",
        min_value=0,
        max_value=1_000_000,
        help_text=(
            "常時雇用している職員の人数です（数え方の細部は公募要領で要確認）。"
            "医療法人・社会福祉法人は、複数の診療所・施設を開設していても法人全体の人数です"
            "（申請も法人単位です）。"
        ),
        error_messages={"invalid": "人数は0以上の整数で入力してください。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, rules: RuleSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_form"].choices = [
            (code, form.name) for code, form in rules.legal_forms.items()
        ]


class GoalsForm(forms.Form):
    goals = forms.MultipleChoiceField(
        label="やりたいこと（いくつでも選べます）",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "やりたいことを1つ以上選んでください。"},
    )

    def __init__(self, *args, rules: RuleSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = [
            (frame.code, f"{frame.goal}（{frame.name}）") for frame in rules.frames.values()
        ]


class CostForm(forms.Form):
    """A frame's costs; the months counted (its ``months_key``) and the tools offered come from
    the frame's rules."""

    months_key = "cloud_max_months"
    tools_required = True

    def __init__(self, *args, frame: FrameRules, tool_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.frame = frame
        for name in [name for name in self.fields if name.endswith("_months")]:
            self.fields[name].help_text = months_help(frame.count(self.months_key))
        if tool_choices:
            self.fields = {
                "tools": forms.MultipleChoiceField(
                    label="導入するITツール",
                    help_text=(
                        "（　）内は対応する業務プロセス・機能の目安です。実際の対象は、"
                        "IT導入支援事業者が登録したツールの内容で決まります（要確認）。"
                    ),
                    choices=list(tool_choices),
                    widget=forms.CheckboxSelectMultiple,
                    required=self.tools_required,
                    error_messages={
                        "required": "1つ以上選んでください。補助額は、選んだツールが対応する"
                        + ("業務プロセスの数" if frame.formula == "normal" else "機能の数")
                        + "で決まるため、ここは空欄にできません（金額は空欄でも構いません）。"
                    },
                ),
                **self.fields,
            }


class SoftwareCostForm(CostForm):
    """The eligible-cost categories of the seed: purchase, cloud fees, options, services."""

    purchase_yen = MoneyField(label="ソフトウェア購入費")
    cloud_monthly_yen = MoneyField(label="クラウド利用料（月額）")
    cloud_months = MonthsField(label="クラウドの利用月数")
    option_yen = MoneyField(label="オプション（機能拡張・データ連携・セキュリティ対策）")
    service_yen = MoneyField(label="導入関連費（導入設定・マニュアル作成・研修・保守サポート）")


class InvoiceCostForm(SoftwareCostForm):
    pc_yen = MoneyField(label="PC・タブレット等の購入費")
    register_yen = MoneyField(label="レジ・券売機等の購入費")


class SecurityCostForm(CostForm):
    service_monthly_yen = MoneyField(label="お助け隊サービス利用料（月額）")
    service_months = MonthsField(label="利用月数")
    months_key = "service_max_months"


class MultiCostForm(CostForm):
    """複数者連携: the group's plan as far as the clinic knows it (the representative applies)."""

    members = WholeNumberField(
        label="グループの構成員（参加する事業者）の数",
        min_value=1,
        max_value=100_000,
        help_text="医療機関はグループの構成員として参加し、申請はグループの代表者が行います。"
        "以下の金額はグループ全体の予定額です（わからない項目は空欄で構いません）。",
        error_messages={"required": "構成員の数を入力してください（例：12）。"},
    )
    tools_required = False  # a group may plan (b) and (c) only
    purchase_yen = MoneyField(label="(a) ソフトウェアの費用（購入費・利用料・導入関連費の合計）")
    pc_yen = MoneyField(label="(a) PC・タブレット等の購入費")
    register_yen = MoneyField(label="(a) レジ・券売機等の購入費")
    analysis_yen = MoneyField(label="(b) 消費動向等分析経費")
    admin_yen = MoneyField(label="(c) 事務費・専門家費")


def input_id(field) -> str:
    """The id of a bound field's input itself, for an error summary's link (the first box of a
    group of radios or checkboxes, whose label has no single target)."""
    return field.id_for_label or f"{field.auto_id}_0"


def months_help(months: int) -> str:
    """最大24か月分（2年分）が対象です。 for the rule's number of months."""
    years = f"（{months // 12}年分）" if months % 12 == 0 else ""
    return f"最大{months}か月分{years}が対象です。"


class WagesForm(forms.Form):
    minimum_wage_near = forms.ChoiceField(
        label="最低賃金近傍の事業者に当てはまりますか",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
    )
    wage_increase_plan = forms.ChoiceField(
        label="賃金引上げ計画を策定し、従業員に表明しますか",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, frame: FrameRules, ask_wage_plan: bool, **kwargs):
        """``frame``: the chosen frame whose formula reads these answers (通常枠)."""
        super().__init__(*args, **kwargs)
        self.frame = frame
        self.large_band_processes = frame.count("small_band_max_processes") + 1
        self.fields["minimum_wage_near"].help_text = (
            f"{frame.param('minimum_wage_near_test').value}。当てはまると{frame.name}の補助率が"
            f"{frame.param('rate_minimum_wage_near').value}になります。"
        )
        if ask_wage_plan:
            self.fields["wage_increase_plan"].help_text = frame.param("wage_plan_requirement").value
        else:
            del self.fields["wage_increase_plan"]


class ScreeningNameForm(forms.Form):
    # kept as typed: 「（電子カルテ＋予約）」 stays full-width (invisible characters are removed)
    name = PlainCharField(
        label="名前",
        max_length=100,
        help_text="例：A社の見積り（2026年11月）",
        error_messages={"required": "名前を入力してください。"},
    )


class ApplicationStageForm(forms.Form):
    """Where the clinic's application for one frame stands: a stage of the rule version's
    ``application_stages``; the stage that records the application asks its round (the frame's
    rounds), its date and, optionally, its number."""

    stage = forms.ChoiceField(label="申請の段階", widget=forms.RadioSelect)
    round_number = forms.TypedChoiceField(label="申請した回", coerce=int, required=False)
    applied_on = JapaneseDateField(label="申請日", required=False)
    application_number = PlainCharField(
        label="申請番号", max_length=40, required=False, help_text="交付申請の番号など"
    )

    def __init__(self, *args, rules: RuleSet, frame: FrameRules, **kwargs):
        kwargs.setdefault("prefix", f"stage-{frame.code}")
        super().__init__(*args, **kwargs)
        self.frame = frame
        self.stages = {stage.code: stage for stage in rules.application_stages}
        self.fields["stage"].choices = [(s.code, s.name) for s in rules.application_stages]
        recording = next((s for s in rules.application_stages if s.records_application), None)
        self.recording = recording
        self.fields["round_number"].choices = [("", "選んでください")] + [
            (r.number, f"第{r.number}次（{jdate(r.closes_on)}締切）") for r in frame.rounds
        ]
        if recording is not None:
            for name in ("round_number", "applied_on"):
                self.fields[name].required_when = f"「{recording.name}」のときは必須"
            self.fields[
                "application_number"
            ].help_text = f"「{recording.name}」のとき、わかれば記入します（交付申請の番号など）。"

    def clean(self):
        data = super().clean()
        stage = self.stages.get(data.get("stage"))
        if stage is None or not stage.records_application:
            return data | {"round_number": None, "applied_on": None, "application_number": ""}
        if data.get("round_number") in (None, ""):
            self.add_error(
                "round_number", f"「{stage.name}」のときは、申請した回を選んでください。"
            )
        if data.get("applied_on") is None and "applied_on" not in self.errors:
            self.add_error("applied_on", f"「{stage.name}」のときは、申請日を入力してください。")
        return data
