"""The PDF pipeline (eligibility/pdf.py) with the fonts shipped in static/fonts/."""

import contextlib
import io
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from eligibility import pdf
from eligibility.management.commands.bench_pdf import sample_html

CLINIC = "医療法人社団 青葉会 あおば内科クリニック"
RARE_CLINIC = "医療法人 𠮷田会 髙橋・𠮷田内科 剝離外来"


def test_weasyprint_subsets_fonts_with_harfbuzz():
    """HarfBuzz's subsetter (Debian's libharfbuzz-subset0, installed by scripts/ensure_packages.sh)
    is found; without it WeasyPrint subsets with fontTools and each PDF takes about 3x longer."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def text_by_font(data: bytes) -> dict[str, str]:
    """The text each embedded font draws, keyed by BaseFont without the subset tag."""
    drawn: dict[str, list[str]] = {}

    def visit(text, cm, tm, font, size):
        if font is not None and text:
            drawn.setdefault(str(font["/BaseFont"]).split("+", 1)[-1], []).append(text)

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return {name: "".join(parts) for name, parts in drawn.items()}


def font_encodings(data: bytes) -> dict[str, str]:
    """BaseFont -> /Encoding. WeasyPrint writes a custom CMap instead of /Identity-H when a font
    lacked a glyph (a .notdef box), so /Identity-H everywhere means no tofu."""
    encodings = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            encodings[str(font["/BaseFont"]).split("+", 1)[-1]] = str(font["/Encoding"])
    return encodings


PRIMARY_FONTS = [
    ("BIZUDPGothic-Regular-subset.woff2", "BIZUDPGothic-Bold-subset.woff2"),
    ("DejaVuSans-Regular-symbols.woff2", "DejaVuSans-Bold-symbols.woff2"),
]


def cmap_of(name: str) -> set[str]:
    return set(map(chr, TTFont(pdf.FONTS_DIR / name, lazy=True).getBestCmap()))


@pytest.fixture(scope="module")
def primary_cmap() -> set[str]:
    """What the primary families draw in both weights, read from the font files themselves."""
    return set().union(*(cmap_of(regular) & cmap_of(bold) for regular, bold in PRIMARY_FONTS))


def visible(text: str) -> set[str]:
    return {char for char in text if not char.isspace()}


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return pdf.render_pdf(sample_html(clinic_name=CLINIC), base_url=pdf.STATIC_DIR)


@pytest.fixture(scope="module")
def bare_machine_pdf(tmp_path_factory) -> bytes:
    """The rare-kanji sample rendered in a fresh interpreter whose Fontconfig knows no system
    font at all, as on a fresh machine: only the shipped files can draw anything."""
    folder = tmp_path_factory.mktemp("bare")
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    (folder / "page.html").write_text(sample_html(clinic_name=RARE_CLINIC), encoding="utf-8")
    code = textwrap.dedent(
        """
        import pathlib, sys
        from weasyprint.text.ffi import fontconfig
        from eligibility.pdf import STATIC_DIR, render_pdf
        system = fontconfig.FcConfigGetFonts(fontconfig.FcInitLoadConfigAndFonts(), 0)
        assert system.nfont == 0, f"{system.nfont} system fonts visible"
        html = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
        pathlib.Path(sys.argv[2]).write_bytes(render_pdf(html, base_url=STATIC_DIR))
        """
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(folder / "fonts.conf"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }
    subprocess.run(
        [sys.executable, "-c", code, str(folder / "page.html"), str(folder / "page.pdf")],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    return (folder / "page.pdf").read_bytes()


@pytest.mark.parametrize(
    "expected",
    [
        "デジタル化・AI導入補助金2026 申請可否の確認結果",
        f"{CLINIC} 様",
        "補助額 1,499,999円",
        "3,000,000円 1/2 1,500,000円",
        "666,667円 3/4 500,000円",
        "補助額 822,222円",
        "補助額 144,000円",
        "−1円",
        "申請可能",
        "要確認",
        "対象外",
        "□ 見積書（ソフトウェア購入費",
        "公募要領で要確認",
        "出典：日医発第390号 添付「概要資料」（中小企業庁 令和8年4月）",
        "〒・お問い合わせ",
        "1 / 1 ページ",
    ],
)
def test_it_renders_the_japanese_text_and_amounts_exactly(sample_pdf, expected):
    assert expected in pdf_text(sample_pdf)


def test_it_is_one_a4_page_under_100_kb(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert len(sample_pdf) < 100 * 1024


def test_it_draws_every_character_with_the_shipped_fonts(sample_pdf, primary_cmap):
    assert visible(pdf_text(sample_pdf)) - primary_cmap == set()
    assert set(font_encodings(sample_pdf).values()) == {"/Identity-H"}  # no .notdef anywhere
    assert set(text_by_font(sample_pdf)) == {"NaviGothic", "NaviGothic-Bold"}


def test_it_embeds_only_the_glyphs_it_uses(sample_pdf):
    """WeasyPrint subsets again: of the ~7,600 glyphs of a shipped font, the PDF carries an
    outline only for each character drawn (the .notdef at most besides)."""
    drawn = text_by_font(sample_pdf)
    for ref in PdfReader(io.BytesIO(sample_pdf)).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        name = str(font["/BaseFont"]).split("+", 1)[-1]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        glyf = embedded["glyf"]
        outlines = [glyph for glyph in glyf if glyf[glyph].numberOfContours != 0]
        assert len(outlines) <= len(visible(drawn[name])) + 1


@pytest.mark.parametrize(
    ("char", "family"),
    [
        pytest.param("𠮷", "NaviGothic-Rare", id="U+20BB7 not in BIZ UDPGothic: Noto subset"),
        pytest.param("剝", "NaviGothic-Ext", id="U+525D JIS X 0213 only: BIZ UDPGothic ext"),
        pytest.param("髙", "NaviGothic", id="U+9AD9 CP932 IBM extension: main subset"),
    ],
)
def test_it_draws_rare_kanji_with_the_shipped_fallback(bare_machine_pdf, char, family):
    assert char in pdf_text(bare_machine_pdf)
    fonts = {name for name, text in text_by_font(bare_machine_pdf).items() if char in text}
    assert fonts
    assert fonts <= {family, f"{family}-Bold"}


def test_it_needs_no_system_font(bare_machine_pdf):
    assert f"{RARE_CLINIC} 様" in pdf_text(bare_machine_pdf)
    assert all(name.startswith("NaviGothic") for name in text_by_font(bare_machine_pdf))
    assert set(font_encodings(bare_machine_pdf).values()) == {"/Identity-H"}  # no .notdef
    assert len(bare_machine_pdf) < 100 * 1024


def test_it_loads_the_fallback_fonts_only_when_a_character_needs_them():
    assert not pdf.needs_fallback(sample_html(clinic_name=CLINIC))
    assert pdf.needs_fallback(sample_html(clinic_name=RARE_CLINIC))
    assert pdf.needs_fallback("<p>&#x20BB7;</p>")  # character references count too


def test_it_builds_the_font_configuration_and_stylesheet_once(sample_pdf):
    kept = pdf.pipeline(with_fallback=False)
    pdf.render_pdf(sample_html(clinic_name=CLINIC), base_url=pdf.STATIC_DIR)
    assert pdf.pipeline(with_fallback=False) is kept


@pytest.mark.parametrize(
    "url",
    ["file:///etc/hostname", "http://example.com/logo.png", "https://example.com/a.css"],
)
def test_it_refuses_resources_outside_static(url):
    with pytest.raises(ValueError):
        pdf.StaticFetcher().fetch(url)


def test_the_main_subset_has_all_of_jis_x_0208_and_the_page_symbols(primary_cmap):
    rows = range(0xA1, 0xFF)
    jis = set()
    for code in (bytes((a, b)) for a in rows for b in rows):
        with contextlib.suppress(UnicodeDecodeError):
            jis.add(code.decode("euc_jp"))
    symbols = set("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮～−×・〒□☑✓✔※「」")
    assert len(jis) > 6800
    assert jis - primary_cmap == set()
    assert symbols - primary_cmap == set()
    assert set("ｱｶﾞｰ｡") <= primary_cmap  # half-width katakana


def test_the_list_of_primary_characters_matches_the_fonts(primary_cmap):
    assert pdf.primary_characters() == visible("".join(primary_cmap))


def test_the_fonts_ship_with_their_licences():
    ofl = (pdf.FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "The BIZ UDGothic Project Authors" in ofl
    assert "Adobe" in ofl
    assert "Bitstream" in (pdf.FONTS_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    readme = (pdf.FONTS_DIR / "README.md").read_text(encoding="utf-8")
    assert "fonts-morisawa-bizud-gothic" in readme
