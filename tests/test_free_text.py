"""Every free-text field of every form removes the invisible characters people never mean to
type (issue 17: \\u202e, ESC and BEL were accepted in screening names and shown to staff), and
keeps line breaks only where it has several lines."""

import inspect
import unicodedata

import pytest
from django import forms

from accounts import forms as account_forms
from announcements import forms as announcement_forms
from clinics import forms as clinic_forms
from clinics import member_io
from eligibility import forms as eligibility_forms
from eligibility import rules_forms

MODULES = (
    account_forms,
    announcement_forms,
    clinic_forms,
    member_io,
    eligibility_forms,
    rules_forms,
)
# fields that take a code, an amount or a secret, and refuse anything but their own characters
NOT_FREE_TEXT = (
    forms.EmailField,
    forms.SlugField,
    eligibility_forms.MoneyField,
    rules_forms.RateField,
    rules_forms.YenField,
)
CODE_FIELDS = {"corporate_number", "postal_code", "phone", "insurance_code"}
TYPED = "青葉\u202e\x1b\x07\u200b\ufeff内科"
MULTI_LINE = (clinic_forms.TextLinesField, rules_forms.TextField)


def free_text_fields():
    for module in MODULES:
        for form_name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for name, field in form.base_fields.items():
                if (type(field) is not forms.CharField or name not in CODE_FIELDS) and isinstance(
                    field, forms.CharField
                ):
                    if isinstance(field, NOT_FREE_TEXT) or "password" in name:
                        continue
                    yield pytest.param(field, id=f"{form_name}.{name}")


def invisible(text: str) -> list[str]:
    return [ch for ch in text if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cf")]


@pytest.mark.parametrize("field", list(free_text_fields()))
def test_every_free_text_field_removes_invisible_characters(field):
    try:
        cleaned = field.clean(TYPED)
    except forms.ValidationError:  # a code field refuses it, and says so
        return
    assert invisible(cleaned) == [] and "青葉" in cleaned


@pytest.mark.parametrize("field", list(free_text_fields()))
def test_line_breaks_are_kept_only_in_fields_of_several_lines(field):
    try:
        cleaned = field.clean("一行目\r\n二行目")
    except forms.ValidationError:  # a one-line field that refuses line breaks
        assert not isinstance(field, MULTI_LINE)
        return
    assert ("\n" in cleaned) == isinstance(field, MULTI_LINE)
    assert "\r" not in cleaned


def test_the_fields_are_found():
    names = {p.id for p in free_text_fields()}
    assert {"ScreeningNameForm.name", "PublicationForm.body", "ClinicProfileForm.name"} <= names
