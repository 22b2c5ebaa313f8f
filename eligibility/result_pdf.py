"""A screening's result as a PDF, and the result's body as HTML: the result page's own
partial (templates/eligibility/result.html#result-body), rendered once and kept.

A result never changes under its rule version, so both are kept in the cache, keyed by the
screening's name and answers, its clinic (renamed or moved), the version, the day it is
computed for (deadlines count days), and a fingerprint of the templates, stylesheet and fonts
that shape them. The page and the PDF show the same body: one source, rendered once."""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import pdf

TEMPLATES = [
    "eligibility/result.html",
    "eligibility/result_pdf.html",
    "partials/verdict.html",
    "partials/reasons.html",
]
CACHE_SECONDS = 24 * 60 * 60


@cache
def pdf_fingerprint() -> str:
    """Changes whenever a template, the print stylesheet or a font file changes."""
    digest = hashlib.sha256()
    files = [settings.BASE_DIR / "templates" / name for name in TEMPLATES]
    files += [pdf.PDF_CSS, pdf.FALLBACK_CSS, *sorted(pdf.FONTS_DIR.glob("*.woff2"))]
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def result_body(result) -> str:
    """The result's body (the page's #result-body partial), from the cache when it is there."""
    key = cache_key(result, kind="body")
    html = shared_cache.get(key)
    if html is None:
        context = {"result": result, "screening": result.screening}
        html = render_to_string("eligibility/result.html#result-body", context)
        shared_cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # rendered by the template engine, which escaped it


def result_html(result) -> str:
    """The PDF's HTML: the body inside the print page."""
    context = {"result": result, "screening": result.screening, "result_body": result_body(result)}
    return render_to_string("eligibility/result_pdf.html", context)


def cache_key(result, *, kind: str = "pdf") -> str:
    """What the body shows: the screening's name and answers (a digest: answers saved again
    unchanged keep the key), its clinic, the version, the day, the templates and fonts."""
    screening = result.screening
    clinic = screening.clinic
    shown = json.dumps([screening.name, screening.answers], sort_keys=True, ensure_ascii=False)
    answers = hashlib.sha256(shown.encode()).hexdigest()[:16]
    clinic_changed = clinic.updated_at.isoformat() if clinic.updated_at else "new"
    return (
        f"result-{kind}:{screening.pk}:{answers}:{clinic.pk}:{clinic_changed}:"
        f"{clinic.association_id}:{result.rules.label}:{result.as_of.isoformat()}:"
        f"{pdf_fingerprint()}"
    )


def result_pdf(result) -> bytes:
    key = cache_key(result)
    data = shared_cache.get(key)
    if data is None:
        data = pdf.render_pdf(result_html(result), base_url=pdf.STATIC_DIR)
        shared_cache.set(key, data, CACHE_SECONDS)
    return data
