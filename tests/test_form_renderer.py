"""The Python widgets of config.forms write what Django's widget templates write (the same
markup; only insignificant white space between tags may differ)."""

import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from config.forms import FAST_WIDGETS, FIELD_TEMPLATE, FormRenderer


class Everything(forms.Form):
    text = forms.CharField(label="名前", help_text="<b>例</b>")
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    number = forms.IntegerField()
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    url = forms.URLField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField()
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        choices=[("", "選択"), ("a", "A & B"), ("<b>", mark_safe("<b>太</b>"))]
    )
    grouped = forms.ChoiceField(
        choices=[("組", [("x", "エックス"), ("y", "ワイ")]), ("z", "ゼット")]
    )
    radio = forms.ChoiceField(choices=[("yes", "はい"), ("no", "いいえ")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=[("g", [("1", "一"), ("2", "二")]), ("3", "三")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )


DATA = {
    "text": 'x" onmouseover="alert(1)',
    "email": "<script>",
    "password": "p&w",
    "number": "12",
    "date": "2026-06-15",
    "url": "https://example.jp/?a=1&b=2",
    "hidden": "h",
    "agree": "on",
    "note": "一行目\n<二行目>",
    "kind": "<b>",
    "grouped": "y",
    "radio": "no",
    "boxes": ["1", "3"],
}


def same_markup(a: str, b: str) -> bool:
    def tidy(html: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()

    return tidy(a) == tidy(b)


@pytest.mark.parametrize("data", [None, DATA], ids=["empty", "filled"])
def test_fast_widgets_write_the_same_markup_as_the_templates(data):
    form = Everything(data, initial={"note": "初期値", "boxes": ["2"]})
    if data:
        form.is_valid()
    templates, fast = TemplatesSetting(), FormRenderer()
    covered = set()
    for bound in form:
        widget = bound.field.widget
        context = widget.get_context(bound.html_name, bound.value(), bound.build_widget_attrs({}))
        context["widget"]["attrs"].setdefault("id", bound.auto_id)
        expected = templates.render(widget.template_name, context)
        ours = fast.render(widget.template_name, context)
        assert same_markup(ours, expected), (bound.name, ours, expected)
        covered.add(widget.template_name)
    assert covered == set(FAST_WIDGETS)


@pytest.mark.parametrize("data", [None, {}, DATA], ids=["unbound", "errors", "filled"])
def test_the_python_field_writes_what_the_field_template_writes(data):
    form = Everything(data, initial={"boxes": ["2"]}, renderer=FormRenderer())
    if data is not None:
        form.is_valid()
    form.fields["number"].required = False  # the （任意） note
    form.fields["radio"].help_text = "どちらか一つ"  # a fieldset described by its help text
    templates = TemplatesSetting()
    for bound in form:
        context = bound.get_context()
        expected = templates.render(FIELD_TEMPLATE, context)
        ours = FormRenderer().render(FIELD_TEMPLATE, context)
        assert same_markup(ours, expected), (bound.name, ours, expected)
    assert form.errors or data != {}


def test_help_text_is_escaped_unless_marked_safe():
    """Help texts may come from rule data (the wizard's wage questions); Django's own HTML help
    texts (the password rules) are marked safe and stay HTML."""
    form = Everything(renderer=FormRenderer())
    form.fields["email"].help_text = mark_safe("<ul><li>規則</li></ul>")
    templates = TemplatesSetting()
    for bound in (form["text"], form["email"]):
        context = bound.get_context()
        for html in (templates.render(FIELD_TEMPLATE, context), str(bound.as_field_group())):
            assert ("&lt;b&gt;例&lt;/b&gt;" in html) == (bound.name == "text")
            assert "<b>例</b>" not in html
            assert ("<ul><li>規則</li></ul>" in html) == (bound.name == "email")
