from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .engine import NO_OPEN_ROUND, next_open_round
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
    as_of = today()
    frames = [(frame, next_open_round(frame.rounds, as_of)) for frame in rules.frames.values()]
    ctx = {
        "version": version,
        "rules": rules,
        "frames": frames,
        "today": as_of,
        "no_open_round": NO_OPEN_ROUND,
    }
    return render(request, "eligibility/programme.html", ctx)
