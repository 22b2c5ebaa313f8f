from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import rule_set_for, rule_version_published, today


@require_GET
def home(request):
    return render(request, "home.html", {"version": rule_version_published()})


@require_GET
def programme(request):
    """The frames of the published version: rates, caps and deadlines, each with its source."""
    version = rule_version_published()
    if version is None:
        raise Http404("公開中のルールの版がありません。")
    rules = rule_set_for(version=version)
    ctx = {"version": version, "rules": rules, "today": today()}
    return render(request, "eligibility/programme.html", ctx)
