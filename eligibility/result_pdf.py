"""A screening's result as a PDF: the result page's own partials rendered by eligibility.pdf.

A result never changes under its rule version, so a PDF is kept in the cache, keyed by the
screening (and its last change), the version, the day it is computed for (deadlines count
days), and a fingerprint of the templates, stylesheet and fonts that shape it."""

import hashlib
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.template.loader import render_to_string

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


def result_html(result) -> str:
    return render_to_string(
        "eligibility/result_pdf.html", {"result": result, "screening": result.screening}
    )


def cache_key(result) -> str:
    screening = result.screening
    changed = screening.updated_at.isoformat() if screening.updated_at else "new"
    return (
        f"result-pdf:{screening.pk}:{changed}:{result.rules.label}:"
        f"{result.as_of.isoformat()}:{pdf_fingerprint()}"
    )


def result_pdf(result) -> bytes:
    key = cache_key(result)
    data = shared_cache.get(key)
    if data is None:
        data = pdf.render_pdf(result_html(result), base_url=pdf.STATIC_DIR)
        shared_cache.set(key, data, CACHE_SECONDS)
    return data
