"""Forms render through Django's form templates with the project's field template
(templates/forms/field.html): a label (or a fieldset and legend), the help text and the errors
by the field, each with the id the field's aria-describedby names."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


class Everything(forms.Form):
    text = forms.CharField(label="名前", help_text="<b>例</b>", max_length=5)
    email = forms.EmailField()
    number = forms.IntegerField(required=False)
    radio = forms.ChoiceField(
        choices=[("yes", "はい"), ("no", "いいえ")],
        widget=forms.RadioSelect,
        help_text="どちらか一つ",
    )
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


def tidy(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def test_a_field_has_its_label_help_text_and_errors_by_it():
    form = Everything({"text": "長すぎる名前です", "email": "x", "radio": "no"})
    assert not form.is_valid()
    html = tidy(form["text"].as_field_group())
    assert html.startswith('<div class="field has-error" id="id_text_field">')
    assert '<label for="id_text">名前</label>' in html
    assert '<p class="help" id="id_text_helptext">' in html
    assert '<p class="field-error" id="id_text_error">この値は 5 文字以下' in html
    assert 'aria-describedby="id_text_helptext id_text_error"' in html
    assert html.index("field-error") < html.index("<input")


def test_a_choice_of_options_is_a_fieldset_described_by_its_help_text():
    html = tidy(Everything()["radio"].as_field_group())
    assert '<fieldset aria-describedby="id_radio_helptext"><legend>Radio</legend>' in html
    assert '<p class="help" id="id_radio_helptext">どちらか一つ</p>' in html
    assert '<label for="id_radio_0"><input type="radio" name="radio" value="yes"' in html


def test_an_optional_field_says_so():
    html = tidy(Everything()["number"].as_field_group())
    assert '<label for="id_number">Number <span class="note">（任意）</span></label>' in html


def test_the_form_renders_the_project_templates():
    form = Everything({})
    form.is_valid()
    html = str(form)
    assert 'class="error-summary"' in html  # templates/partials/error_summary.html
    assert tidy(form["text"].as_field_group()) == tidy(
        render_to_string("forms/field.html", form["text"].get_context())
    )
    assert '<input type="hidden" name="hidden" id="id_hidden">' in html
    assert 'id="id_hidden_field"' not in html


@pytest.mark.parametrize("name", ["text", "email"])
def test_help_text_is_escaped_unless_marked_safe(name):
    """Help texts may come from rule data (the wizard's wage questions); Django's own HTML help
    texts (the password rules) are marked safe and stay HTML."""
    form = Everything()
    form.fields["email"].help_text = mark_safe("<ul><li>規則</li></ul>")
    html = str(form[name].as_field_group())
    assert ("&lt;b&gt;例&lt;/b&gt;" in html) == (name == "text")
    assert "<b>例</b>" not in html
    assert ("<ul><li>規則</li></ul>" in html) == (name == "email")
