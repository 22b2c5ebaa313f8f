"""How forms render: each field the same accessible way (templates/forms/field.html), with the
common widgets' markup of Django's widget templates. Both are written here in Python too,
because a page of form fields spends most of its time in those small nested templates
(measured: the widgets in Python saved about 40% of the wizard's tools step; the field in Python
a further 0.2-0.4 ms there). tests/test_form_renderer.py checks the markup is the same as the
templates'; the templates stay as the reference."""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"


def _attrs(attrs: dict) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option_input(option: dict) -> str:
    if not option["wrap_label"]:
        return _input(option)
    target = option["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    return f"<label{label_for}>{_input(option)} {conditional_escape(option['label'])}</label>"


def _multiple(widget: dict) -> str:
    own_id, css = widget["attrs"].get("id"), widget["attrs"].get("class")
    out = ["<div"]
    if own_id:
        out.append(f' id="{conditional_escape(own_id)}"')
    if css:
        out.append(f' class="{conditional_escape(css)}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        for option in options:
            out.append(f"<div>\n    {_option_input(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _select(widget: dict) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{conditional_escape(group)}">')
        for option in options:
            out.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            )
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def _field(context: dict) -> str:
    """templates/forms/field.html: a field with its label (or fieldset and legend), help text
    and errors."""
    field = context["field"]
    auto_id = conditional_escape(field.auto_id)
    optional = "" if field.field.required else ' <span class="note">（任意）</span>'
    out = [f'<div class="field{" has-error" if field.errors else ""}" id="{auto_id}_field">']
    if field.use_fieldset:
        described = field.aria_describedby
        out.append(
            f'<fieldset aria-describedby="{conditional_escape(described)}">'
            if described
            else "<fieldset>"
        )
        if field.label:
            out.append(f"<legend>{conditional_escape(field.label)}{optional}</legend>")
    elif field.label:
        out.append(
            f'<label for="{conditional_escape(field.id_for_label)}">'
            f"{conditional_escape(field.label)}{optional}</label>"
        )
    if field.help_text:  # may come from rule data: escaped unless marked safe (Django's own)
        help_text = conditional_escape(field.help_text)
        out.append(f'<p class="help" id="{auto_id}_helptext">{help_text}</p>')
    for error in field.errors:
        out.append(f'<p class="field-error" id="{auto_id}_error">{conditional_escape(error)}</p>')
    out.append(str(field))
    if field.use_fieldset:
        out.append("</fieldset>")
    out.append("</div>")
    return "\n".join(out)


FAST_WIDGETS = {
    **{
        f"{WIDGETS}{name}.html": _input
        for name in ("text", "email", "password", "number", "date", "url", "hidden", "checkbox")
    },
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}checkbox_select.html": _multiple,
    f"{WIDGETS}radio.html": _multiple,
}


FIELD_TEMPLATE = "forms/field.html"


class FormRenderer(TemplatesSetting):
    """Every form renders its fields the same accessible way (templates/forms/)."""

    form_template_name = "forms/form.html"
    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None):
        fast = FAST_WIDGETS.get(template_name)
        if fast is not None:
            return mark_safe(fast(context["widget"]))
        if template_name == FIELD_TEMPLATE:
            return mark_safe(_field(context))
        return super().render(template_name, context, request=request)
