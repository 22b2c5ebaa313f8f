"""Forms of the clinics app. Fields accept what people type (full-width digits, every kind of
hyphen, half-width kana, 〒) and clean to one canonical form; messages name the field."""

from django import forms
from django.contrib.auth import password_validation

from accounts.models import User
from eligibility.models import LegalFormCode

from . import normalize
from .models import Association, Clinic, Invitation, JoinRequest

# Every free-text field of the project is one of these three (or KanaField): each removes the
# invisible characters people never mean to type (clinics/normalize.py).


class NormalizedCharField(forms.CharField):
    """One line (a name, an address): NFKC-folded, spaces tidied, invisible characters gone."""

    def to_python(self, value):
        return normalize.text(super().to_python(value))


class PlainCharField(forms.CharField):
    """One line as typed (widths kept), invisible characters gone; a line break is refused (a
    notice's title becomes an e-mail's subject)."""

    def to_python(self, value):
        return normalize.visible(super().to_python(value)).strip()

    def validate(self, value):
        super().validate(value)
        if "\n" in value:
            raise forms.ValidationError(
                f"{self.label or 'この欄'}に改行は入れられません。1行で入力してください。",
                code="line_break",
            )


class TextLinesField(forms.CharField):
    """Several lines as typed (widths kept): invisible characters gone, line ends LF."""

    widget = forms.Textarea

    def to_python(self, value):
        return normalize.lines(super().to_python(value))


class KanaField(forms.CharField):
    """Furigana folded to full-width katakana before its length is checked (ｶﾞ is one ガ)."""

    def to_python(self, value):
        return normalize.kana(super().to_python(value))


class WholeNumberField(forms.IntegerField):
    """A whole number as people type it: full-width digits, thousands separators every three
    digits and a unit (``units``) are accepted; '1,2,3', '1_000' and '٣' are not."""

    units: tuple[str, ...] = ()

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        try:
            return normalize.whole_number(value, units=self.units)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class HeadcountField(WholeNumberField):
    """A non-negative whole number; full-width digits and 人 are accepted."""

    units = ("人",)


class ClinicProfileForm(forms.ModelForm):
    name = NormalizedCharField(label="医療機関名", max_length=100)
    name_kana = KanaField(
        label="医療機関名（フリガナ）",
        max_length=200,
        help_text="全角カタカナで入力してください（ひらがな・半角カナも受け付けます）。",
    )
    legal_form = forms.ChoiceField(
        label="開設主体", choices=LegalFormCode.choices, widget=forms.RadioSelect
    )
    corporate_number = forms.CharField(
        label="法人番号",
        required=False,
        help_text="13桁の数字です（医療法人・社会福祉法人は必須、個人開業医は空欄）。",
    )
    corporate_number.required_when = "法人は必須"  # templates/forms/field.html shows it
    representative = NormalizedCharField(label="開設者・代表者", max_length=100)
    postal_code = forms.CharField(
        label="郵便番号", help_text="例：123-4567（〒やハイフンはあってもなくても構いません）"
    )
    address = NormalizedCharField(label="住所（市区町村以降）", max_length=200)
    phone = forms.CharField(label="電話番号", help_text="例：03-1234-5678")
    employees = HeadcountField(
        label="常時使用する従業員数",
        min_value=0,
        max_value=1_000_000,
        help_text=(
            "常時雇用している職員（医師・看護師・事務職員など）の人数です。"
            "パート・アルバイトや役員の数え方は公募要領で要確認です。"
            "医療法人・社会福祉法人は、複数の診療所・施設を開設していても法人全体の人数です"
            "（申請も法人単位です）。"
        ),
        error_messages={"invalid": "人数は0以上の整数で入力してください。"},
    )
    insurance_code = forms.CharField(
        label="保険医療機関コード", required=False, help_text="7桁または10桁の数字"
    )

    class Meta:
        model = Clinic
        fields = [
            "name",
            "name_kana",
            "legal_form",
            "corporate_number",
            "representative",
            "postal_code",
            "prefecture",
            "address",
            "phone",
            "employees",
            "insurance_code",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].required = True
        self.fields["prefecture"].choices = [
            ("", "選択してください"),
            *self.fields["prefecture"].choices[1:],
        ]
        autocomplete = {
            "name": "organization",
            "postal_code": "postal-code",
            "address": "street-address",
            "phone": "tel",
            "representative": "name",
        }
        for name, field in self.fields.items():
            if name in autocomplete:
                field.widget.attrs["autocomplete"] = autocomplete[name]
        self.fields["employees"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["phone"].widget.input_type = "tel"
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["corporate_number"].widget.attrs["inputmode"] = "numeric"

    def clean_name_kana(self):
        value = self.cleaned_data["name_kana"]
        if not normalize.is_katakana(value):
            raise forms.ValidationError("フリガナはカタカナで入力してください。")
        return value

    def clean_postal_code(self):
        value = normalize.postal_code(self.cleaned_data["postal_code"])
        if value is None:
            raise forms.ValidationError("郵便番号は7桁の数字で入力してください（例：123-4567）。")
        return value

    def clean_phone(self):
        value = normalize.phone(self.cleaned_data["phone"])
        if value is None:
            raise forms.ValidationError("電話番号は0から始まる10桁または11桁で入力してください。")
        return value

    def clean_insurance_code(self):
        raw = self.cleaned_data["insurance_code"]
        if not raw.strip():
            return ""
        value = normalize.digits(raw)
        if len(value) not in (7, 10):
            raise forms.ValidationError(
                "保険医療機関コードは7桁または10桁の数字で入力してください。"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        legal_form = cleaned.get("legal_form")
        raw = self.data.get(self.add_prefix("corporate_number"), "") or ""
        if legal_form == LegalFormCode.INDIVIDUAL:
            if normalize.digits(raw):
                self.add_error(
                    "corporate_number", "個人開業医の場合、法人番号は空欄にしてください。"
                )
            cleaned["corporate_number"] = ""
        elif legal_form:
            if not raw.strip():
                self.add_error(
                    "corporate_number", "法人の場合は法人番号（13桁）を入力してください。"
                )
            else:
                number = normalize.corporate_number(raw)
                if number is None:
                    self.add_error(
                        "corporate_number",
                        "法人番号が正しくありません（13桁で、先頭の検査用数字が一致しません）。",
                    )
                else:
                    cleaned["corporate_number"] = number
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label="招待するメールアドレス")
    clinic_name = NormalizedCharField(
        label="医療機関名", max_length=100, required=False, help_text="分かれば入力してください。"
    )
    clinic = forms.ModelChoiceField(
        label="既存の会員に招待する",
        queryset=Clinic.objects.none(),
        required=False,
        empty_label="新しい会員として招待する",
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = association.clinics.order_by("name_kana")

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        user = User.objects.filter(email=email).first()
        if user is not None:
            raise forms.ValidationError("このメールアドレスはすでに登録されています。")
        return email


class AcceptInvitationForm(forms.Form):
    name = NormalizedCharField(label="お名前", max_length=100)
    password1 = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="パスワード（確認）",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "パスワードが一致しません。")
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.invitation.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class JoinRequestForm(forms.ModelForm):
    association = forms.ModelChoiceField(
        label="所属する医師会",
        queryset=Association.objects.order_by("prefecture_code"),
        empty_label="選択してください",
    )
    clinic_name = NormalizedCharField(label="医療機関名", max_length=100)
    contact_name = NormalizedCharField(label="ご担当者名", max_length=100)
    phone = forms.CharField(label="電話番号", help_text="例：03-1234-5678")

    class Meta:
        model = JoinRequest
        fields = ["association", "clinic_name", "contact_name", "email", "phone", "message"]
        field_classes = {"message": TextLinesField}

    def clean_phone(self):
        value = normalize.phone(self.cleaned_data["phone"])
        if value is None:
            raise forms.ValidationError("電話番号は0から始まる10桁または11桁で入力してください。")
        return value

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class JapaneseDateField(forms.DateField):
    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
    default_error_messages = {"invalid": "日付は「2027-01-20」のように入力してください。"}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize.nfkc(value).replace(" ", "")
        return super().to_python(value)
