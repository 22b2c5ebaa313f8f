"""How forms render: Django's form templates, with the project's own form and field templates
(templates/forms/), so every form shows its labels, help texts and errors the same accessible
way. The templates are found by the TEMPLATES setting (its cached loader)."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
