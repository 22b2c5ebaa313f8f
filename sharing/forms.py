from django import forms

from clinics.forms import WholeNumberField

from .services import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS

DAYS_MESSAGE = f"有効期間は{MIN_DAYS}〜{MAX_DAYS}日の整数で入力してください。"


class DaysField(WholeNumberField):
    """A number of days; full-width digits and 日 are accepted."""

    units = ("日",)


class ShareLinkForm(forms.Form):
    days = DaysField(
        label="有効期間（日数）",
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=f"{MIN_DAYS}〜{MAX_DAYS}日で指定できます。期限を過ぎると、リンクは開けなくなります。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": DAYS_MESSAGE,
            "invalid": DAYS_MESSAGE,
            "min_value": DAYS_MESSAGE,
            "max_value": DAYS_MESSAGE,
        },
    )
