"""HTML to an A4 PDF with WeasyPrint and the Japanese fonts shipped in static/fonts/.

What does not change between PDFs is built once per process and kept: the FontConfiguration
with the @font-face fonts registered (WeasyPrint decodes each WOFF2 file once), and the parsed
print stylesheet (static/css/pdf.css). The fallback fonts (static/fonts/fallback.css:
NaviGothic Ext and Rare) are registered only when a document has a character the primary fonts
lack (static/fonts/primary-characters.txt), in a second kept configuration.

Templates for PDFs do not link pdf.css; render_pdf adds it. Resources (images) may only come
from static/ or data: URLs; nothing is fetched over the network.
"""

import functools
import html as html_entities
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.request import url2pathname

import pydyf
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
FONTS_DIR = STATIC_DIR / "fonts"
PDF_CSS = STATIC_DIR / "css" / "pdf.css"
FALLBACK_CSS = FONTS_DIR / "fallback.css"
# What NaviGothic and NaviGothic Symbols draw (both weights), written by scripts/build_fonts.py.
PRIMARY_CHARACTERS = FONTS_DIR / "primary-characters.txt"

# Pango's font map is not safe to share between threads; PDFs in one process take turns.
_lock = threading.Lock()


class _Deflate:
    """pydyf (WeasyPrint's PDF writer) deflates every stream at zlib level 9, and has no setting
    for it. At zlib's default level 6 the sample PDF is 0.3% larger and written in 2-3 ms less
    (a tenth of write_pdf; manage.py bench_pdf). pydyf calls zlib.compress and compressobj."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)


pydyf.zlib = _Deflate


class StaticFetcher(URLFetcher):
    """Fetches file: URLs inside static/ and data: URLs; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if not path.is_relative_to(STATIC_DIR):
                raise ValueError(f"not under static/: {url}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class Pipeline:
    font_config: FontConfiguration
    stylesheets: tuple[CSS, ...]
    url_fetcher: StaticFetcher


@functools.cache
def pipeline(*, with_fallback: bool) -> Pipeline:
    """The font configuration and parsed stylesheets, built once per process for each kind."""
    font_config = FontConfiguration()
    fetcher = StaticFetcher()
    files = (FALLBACK_CSS, PDF_CSS) if with_fallback else (PDF_CSS,)
    stylesheets = tuple(
        CSS(filename=str(path), font_config=font_config, url_fetcher=fetcher) for path in files
    )
    return Pipeline(font_config=font_config, stylesheets=stylesheets, url_fetcher=fetcher)


@functools.cache
def primary_characters() -> frozenset[str]:
    """The characters the primary families draw in both weights (whitespace left out)."""
    return frozenset(PRIMARY_CHARACTERS.read_text(encoding="utf-8").replace("\n", ""))


def needs_fallback(html: str) -> bool:
    """True when the document has a visible character outside the primary fonts. Markup counts
    too (it is ASCII), so this errs on the side of loading the fallback."""
    if html.isascii() and "&" not in html:
        return False
    primary = primary_characters()
    return any(
        char not in primary and char.isprintable() and not char.isspace()
        for char in set(html_entities.unescape(html))
    )


def render_pdf(html: str, *, base_url: str | Path, **options) -> bytes:
    """The PDF of html. base_url resolves relative URLs (a folder inside static/, or static/
    itself). options are WeasyPrint's (e.g. pdf_variant, uncompressed_pdf), given to both the
    layout and the writing, as HTML.write_pdf does."""
    with _lock:
        document = _render(html, base_url=base_url, options=options)
        return document.write_pdf(**options)


def render_document(html: str, *, base_url: str | Path, **options) -> Document:
    """The laid-out document without the PDF written: the first half of render_pdf."""
    with _lock:
        return _render(html, base_url=base_url, options=options)


def _render(html: str, *, base_url: str | Path, options: dict) -> Document:
    kept = pipeline(with_fallback=needs_fallback(html))
    page = HTML(string=html, base_url=str(base_url), url_fetcher=kept.url_fetcher)
    return page.render(stylesheets=list(kept.stylesheets), font_config=kept.font_config, **options)
