"""A screening's result as a PDF: the result page's own partial
(templates/eligibility/result.html#result-body) inside the print page.

A result never changes under its rule version, so the PDF is kept in the cache, keyed by the
screening's name and answers, its clinic (renamed or moved), the version, the day it is
computed for (deadlines count days) and the code version (code_version())."""

import hashlib
import json
from functools import cache

import weasyprint
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.template.loader import render_to_string

from . import pdf

CACHE_SECONDS = 24 * 60 * 60
APP_DIR = settings.BASE_DIR / "eligibility"


@cache
def code_version() -> str:
    """A digest of everything that shapes a PDF besides its data: the templates, the engine
    and the modules that build and draw the result, the print stylesheet, the fonts and the
    WeasyPrint version. Computed once per process (a few milliseconds), so a deploy that
    changes any of them never serves a PDF made by the old code."""
    files = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
    files += sorted((APP_DIR / "engine").glob("*.py"))
    files += sorted((APP_DIR / "templatetags").glob("*.py"))
    files += [APP_DIR / name for name in ("selectors.py", "pdf.py", "result_pdf.py")]
    files += [pdf.PDF_CSS, pdf.FALLBACK_CSS, *sorted(pdf.FONTS_DIR.glob("*.woff2"))]
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def result_html(result) -> str:
    """The PDF's HTML: the result page's body inside the print page."""
    context = {"result": result, "screening": result.screening}
    return render_to_string("eligibility/result_pdf.html", context)


def cache_key(result) -> str:
    """What the PDF shows: the screening's name and answers (a digest: answers saved again
    unchanged keep the key), its clinic, the application stages recorded, the version, the day,
    and the code version."""
    screening = result.screening
    clinic = screening.clinic
    shown = json.dumps([screening.name, screening.answers], sort_keys=True, ensure_ascii=False)
    answers = hashlib.sha256(shown.encode()).hexdigest()[:16]
    clinic_changed = clinic.updated_at.isoformat() if clinic.updated_at else "new"
    stages = "-".join(str(view.stage.pk) for view in result.frames if view.stage)
    return (
        f"result-pdf:{screening.pk}:{answers}:{clinic.pk}:{clinic_changed}:{stages}:"
        f"{clinic.association_id}:{result.rules.label}:{result.as_of.isoformat()}:"
        f"{code_version()}"
    )


def result_pdf(result) -> bytes:
    key = cache_key(result)
    data = shared_cache.get(key)
    if data is None:
        data = pdf.render_pdf(result_html(result), base_url=pdf.STATIC_DIR)
        shared_cache.set(key, data, CACHE_SECONDS)
    return data
