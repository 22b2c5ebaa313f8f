"""Build the fonts shipped in static/fonts/ for the PDF pipeline (eligibility/pdf.py).

usage: .venv/bin/python scripts/build_fonts.py

The sources are Debian font packages, needed only here, never when a PDF is rendered:

    apt-get install -y fonts-morisawa-bizud-gothic fonts-noto-cjk fonts-dejavu-core

Four layers, each a CSS font family (static/css/pdf.css, static/fonts/fallback.css), in two
weights (Regular 400, Bold 700):

- NaviGothic          BIZ UDPGothic: ASCII, Latin-1, JIS X 0208 (every 2-byte EUC-JP code point),
                      Windows-31J (CP932: NEC row 13 ①…⑳ Ⅰ…Ⅹ ㈱, the IBM extension kanji 髙 﨑),
                      half-width katakana and PAGE_SYMBOLS. Used by every PDF.
- NaviGothic Symbols  DejaVu Sans: the PAGE_SYMBOLS that BIZ UDPGothic lacks (☐ ☑ ✔). Every PDF.
- NaviGothic Ext      BIZ UDPGothic: every other character it has (the rest of JIS X 0213:2004).
- NaviGothic Rare     Noto Sans CJK JP: supplementary-plane ideographs BIZ UDPGothic lacks (𠮷).
Ext and Rare are registered only for a PDF whose text needs them; primary-characters.txt lists
what the first two draw, so eligibility/pdf.py can tell without opening a font.

All files are WOFF2 without the glyf/loca transform: 63 % of the TrueType size, and WeasyPrint
decodes one in ~50 ms (the transformed kind is 10 % smaller but takes ~2 s, in Python).
Output is deterministic: same packages in, same bytes out. The sets are derived from Python's
codecs, not typed in; only PAGE_SYMBOLS is a list.
"""

import argparse
import functools
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont, woff2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts"

BIZUD_DIR = Path("/usr/share/fonts/truetype/bizud-gothic")
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
BIZUD_COPYRIGHT = Path("/usr/share/doc/fonts-morisawa-bizud-gothic/copyright")
PACKAGES = ("fonts-morisawa-bizud-gothic", "fonts-noto-cjk", "fonts-dejavu-core")
PRIMARY_CHARACTERS = OUT / "primary-characters.txt"
PRIMARY_FAMILIES = ("NaviGothic", "NaviGothic Symbols")

# Symbols the pages use. Most are in JIS X 0208 or CP932 already; listing them makes the build
# fail if one ever stops being covered.
PAGE_SYMBOLS = "".join(
    [
        "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳",
        "～〜−－×÷±・〒□■☐☑✓✔※「」『』【】〔〕（）→⇒△▲○●◎★☆…‥",
        "•◦▪“”‘’–—",  # list markers and quotes from WeasyPrint's default stylesheet
    ]
)
ASCII = range(0x20, 0x7F)
LATIN_1 = range(0xA0, 0x100)
HALF_WIDTH_KATAKANA = range(0xFF61, 0xFFA0)
SUPPLEMENTARY_IDEOGRAPHS = range(0x20000, 0x40000)  # CJK Ext. B and later, compatibility supp.
PRIVATE_USE = range(0xE000, 0xF900)
# Pango keeps a space in the font of the character before it, without checking that font has
# it; every fallback layer carries the spaces so that never draws a missing glyph.
SPACES = {0x20, 0xA0, 0x3000}

# Features HarfBuzz applies to horizontal text; vertical forms (vert, vrt2) and alternates
# (jp78, trad, nalt, …) are left out, so their glyphs are not pulled in.
LAYOUT_FEATURES = ["ccmp", "locl", "rlig", "liga", "clig", "calt", "kern", "mark", "mkmk"]
DROP_TABLES = ["vhea", "vmtx", "VORG", "DSIG", "meta", "BASE", "FFTM"]


def decoded(codec: str, codes) -> set[int]:
    """Every byte sequence in codes that codec decodes to exactly one character."""
    found = set()
    for code in codes:
        try:
            text = code.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(text) == 1:
            found.add(ord(text))
    return found


@functools.cache
def jis_x_0208() -> set[int]:
    """JIS X 0208: every 2-byte EUC-JP code point 0xA1A1–0xFEFE (kanji levels 1 and 2, kana,
    symbols, full-width forms)."""
    rows = range(0xA1, 0xFF)
    return decoded("euc_jp", (bytes((a, b)) for a in rows for b in rows))


@functools.cache
def windows_31j() -> set[int]:
    """Windows-31J (CP932), the set Windows users type: JIS X 0208 with its own mappings
    (～ － ￠ ￡ ￢ ∥), NEC row 13 and the IBM extension kanji. Private-use codes are left out."""
    leads = [*range(0x81, 0xA0), *range(0xE0, 0xFD)]
    trails = [*range(0x40, 0x7F), *range(0x80, 0xFD)]
    codes = decoded("cp932", (bytes((a, b)) for a in leads for b in trails))
    return {code for code in codes if code not in PRIVATE_USE}


@functools.cache
def jis_x_0213() -> set[int]:
    """JIS X 0213:2004 plane 1 and plane 2 (EUC-JIS-2004; plane 2 has only these rows, Python's
    codec also decodes JIS X 0212 in the others)."""
    rows = range(0xA1, 0xFF)
    plane_1 = (bytes((a, b)) for a in rows for b in rows)
    plane_2_rows = [1, 3, 4, 5, 8, 12, 13, 14, 15, *range(78, 95)]
    plane_2 = (bytes((0x8F, 0xA0 + row, b)) for row in plane_2_rows for b in rows)
    return decoded("euc_jis_2004", plane_1) | decoded("euc_jis_2004", plane_2)


@dataclass(frozen=True)
class Source:
    path: Path
    number: int = 0  # face in a collection (.ttc)

    def open(self) -> TTFont:
        return TTFont(self.path, fontNumber=self.number, recalcTimestamp=False)

    def cmap(self) -> set[int]:
        return set(TTFont(self.path, fontNumber=self.number, lazy=True).getBestCmap())


@dataclass(frozen=True)
class Output:
    name: str
    family: str
    weight: str
    source: Source
    codepoints: frozenset[int]


def subset_font(output: Output) -> bytes:
    """The subset as WOFF2 without table transforms (WeasyPrint decodes it in milliseconds)."""
    options = subset.Options()
    options.hinting = False  # TrueType instructions and CFF hints do nothing in a PDF
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables += DROP_TABLES
    options.name_IDs = ["*"]  # keep copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    font = output.source.open()
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=output.codepoints)
    subsetter.subset(font)
    sfnt, compressed = io.BytesIO(), io.BytesIO()
    font.save(sfnt)
    sfnt.seek(0)
    woff2.compress(sfnt, compressed, transform_tables=set())
    return compressed.getvalue()


def package_version(package: str) -> str:
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def debian_license_text(copyright_file: Path, name: str) -> str:
    """The text of licence `name` in a Debian copyright file (the stand-alone `License: name`
    paragraph that has a body, not the one-line references in `Files:` paragraphs), unindented."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line != f"License: {name}":
            continue
        body = []
        for text in lines[number + 1 :]:
            if not text.startswith(" "):
                break
            body.append("" if text.strip() == "." else text[1:])
        if body:
            return "\n".join(body).strip() + "\n"
    sys.exit(f"{copyright_file}: no text for licence {name}")


def name_record(source: Source, name_id: int) -> str:
    return TTFont(source.path, fontNumber=source.number, lazy=True)["name"].getDebugName(name_id)


def plan() -> tuple[list[Output], dict]:
    bizud = {w: Source(BIZUD_DIR / f"BIZUDPGothic-{w}.ttf") for w in ("Regular", "Bold")}
    noto = {w: Source(NOTO_DIR / f"NotoSansCJK-{w}.ttc", 0) for w in ("Regular", "Bold")}
    dejavu = {"Regular": Source(DEJAVU_DIR / "DejaVuSans.ttf")}
    dejavu["Bold"] = Source(DEJAVU_DIR / "DejaVuSans-Bold.ttf")
    missing = [
        s.path for group in (bizud, noto, dejavu) for s in group.values() if not s.path.exists()
    ]
    if missing:
        sys.exit(
            "missing source fonts: "
            + ", ".join(map(str, missing))
            + "\ninstall them with: apt-get install -y "
            + " ".join(PACKAGES)
        )

    symbols = {ord(c) for c in PAGE_SYMBOLS}
    wanted = (
        set(ASCII)
        | set(LATIN_1)
        | jis_x_0208()
        | windows_31j()
        | set(HALF_WIDTH_KATAKANA)
        | symbols
    )
    outputs = []
    stats = {}
    for weight in ("Regular", "Bold"):
        bizud_cmap = bizud[weight].cmap()
        main = frozenset(wanted & bizud_cmap)
        dejavu_cmap = dejavu[weight].cmap()
        from_dejavu = frozenset(((symbols - bizud_cmap) | SPACES) & dejavu_cmap)
        ext = frozenset((bizud_cmap - main) | (SPACES & bizud_cmap))
        noto_cmap = noto[weight].cmap()
        rare_wanted = (jis_x_0213() | set(SUPPLEMENTARY_IDEOGRAPHS)) - bizud_cmap
        rare = frozenset((rare_wanted | SPACES) & noto_cmap)
        uncovered = symbols - main - from_dejavu
        if uncovered:
            sys.exit(f"PAGE_SYMBOLS not covered by any source: {''.join(map(chr, uncovered))}")
        outputs += [
            Output(
                f"BIZUDPGothic-{weight}-subset.woff2", "NaviGothic", weight, bizud[weight], main
            ),
            Output(
                f"DejaVuSans-{weight}-symbols.woff2",
                "NaviGothic Symbols",
                weight,
                dejavu[weight],
                from_dejavu,
            ),
            Output(
                f"BIZUDPGothic-{weight}-ext.woff2", "NaviGothic Ext", weight, bizud[weight], ext
            ),
            Output(
                f"NotoSansCJKjp-{weight}-rare.woff2", "NaviGothic Rare", weight, noto[weight], rare
            ),
        ]
        covered = main | from_dejavu | ext | rare
        stats[weight] = {
            "jis_x_0208": (len(jis_x_0208() & main), len(jis_x_0208())),
            "windows_31j": (len(windows_31j() & main), len(windows_31j())),
            "jis_x_0213": (len(jis_x_0213() & covered), len(jis_x_0213())),
            "jis_x_0213_missing": "".join(chr(c) for c in sorted(jis_x_0213() - covered)),
            "dejavu_symbols": "".join(chr(c) for c in sorted(from_dejavu - SPACES)),
        }
    return outputs, {"stats": stats, "bizud": bizud, "noto": noto, "dejavu": dejavu}


def write_licences(context: dict) -> None:
    ofl = debian_license_text(BIZUD_COPYRIGHT, "SIL-1.1")
    header = (
        "The fonts in this folder are subsets (Modified Versions) of:\n\n"
        f"BIZUDPGothic-*: {name_record(context['bizud']['Regular'], 0)}\n"
        f"NotoSansCJKjp-*: {name_record(context['noto']['Regular'], 0)}\n"
        "  (Noto Sans CJK is Adobe's Source Han Sans, whose Reserved Font Name is 'Source';\n"
        "  these files are not named with it.)\n\n"
        "Both are licensed under the SIL Open Font License, Version 1.1, copied below and\n"
        "available with a FAQ at https://openfontlicense.org\n"
        "(DejaVuSans-* are under the Bitstream Vera licence: LICENSE-DejaVu.txt.)\n\n"
    )
    (OUT / "OFL.txt").write_text(header + ofl, encoding="utf-8")
    dejavu_licence = name_record(context["dejavu"]["Regular"], 13).replace("\r\n", "\n")
    dejavu_copyright = name_record(context["dejavu"]["Regular"], 0).strip()
    (OUT / "LICENSE-DejaVu.txt").write_text(
        f"DejaVuSans-*: {dejavu_copyright}\n\n{dejavu_licence.strip()}\n", encoding="utf-8"
    )


def write_readme(outputs: list[Output], sizes: dict[str, int], context: dict) -> None:
    versions = {package: package_version(package) for package in PACKAGES}
    stats = context["stats"]["Regular"]
    rows = "\n".join(
        f"| `{o.name}` | {o.family} | {o.weight} | {len(o.codepoints):,} | "
        f"{sizes[o.name] / 1024:,.0f} KB |"
        for o in outputs
    )
    total = sum(sizes.values())
    readme = f"""# Fonts for the PDFs

Generated by `scripts/build_fonts.py`, with `OFL.txt`, `LICENSE-DejaVu.txt`,
`primary-characters.txt` and this file; do not edit them by hand. Rebuild with

```sh
apt-get install -y {" ".join(PACKAGES)}   # the sources, only for rebuilding
.venv/bin/python scripts/build_fonts.py
```

The build is deterministic: the same package versions give the same bytes. Rendering a PDF needs
only the files here (and WeasyPrint's own libraries), never a font installed on the machine;
`tests/eligibility/test_pdf.py` renders with a Fontconfig that sees no system font at all.

## Sources (Debian 12 packages)

| package | version | font | licence |
| --- | --- | --- | --- |
| `fonts-morisawa-bizud-gothic` | {versions["fonts-morisawa-bizud-gothic"]} | BIZ UDPGothic Regular, Bold ({name_record(context["bizud"]["Regular"], 5)}) | SIL OFL 1.1, `OFL.txt` |
| `fonts-noto-cjk` | {versions["fonts-noto-cjk"]} | Noto Sans CJK JP Regular, Bold ({name_record(context["noto"]["Regular"], 5).split(";")[0]}) | SIL OFL 1.1, `OFL.txt` |
| `fonts-dejavu-core` | {versions["fonts-dejavu-core"]} | DejaVu Sans, DejaVu Sans Bold | Bitstream Vera, `LICENSE-DejaVu.txt` |

## Layers

`static/css/pdf.css` asks for
`"NaviGothic", "NaviGothic Symbols", "NaviGothic Ext", "NaviGothic Rare", sans-serif`: each
character is drawn by the first family that has it. The layers do not overlap, except that every
fallback layer also carries the spaces (U+0020, U+00A0, U+3000): Pango draws a space in the font
of the character before it, and a font without it would draw a missing glyph.

- **NaviGothic** (BIZ UDPGothic; every PDF):
  - ASCII and Latin-1;
  - JIS X 0208, every 2-byte EUC-JP code point 0xA1A1–0xFEFE decoded with Python's `euc_jp`
    (kanji levels 1 and 2, kana, symbols, full-width forms): {stats["jis_x_0208"][0]:,} of {stats["jis_x_0208"][1]:,};
  - Windows-31J, decoded with `cp932` (NEC row 13 ①…⑳ Ⅰ…Ⅹ ㈱ ㍻, the IBM extension kanji
    such as 髙 﨑 德, the Windows mappings ～ － ￠ ￡ ￢ ∥): {stats["windows_31j"][0]:,} of {stats["windows_31j"][1]:,};
  - half-width katakana, and the page symbols in `PAGE_SYMBOLS`.
- **NaviGothic Symbols** (DejaVu Sans; every PDF): the page symbols BIZ UDPGothic lacks
  ({stats["dejavu_symbols"]}).
- **NaviGothic Ext** (BIZ UDPGothic; only when needed): every other character BIZ UDPGothic
  has: the rest of JIS X 0213:2004 (剝 頰 塡 𠮟 …) and more.
- **NaviGothic Rare** (Noto Sans CJK JP; only when needed): the supplementary-plane ideographs
  (CJK Ext. B and later, e.g. 𠮷 U+20BB7) that BIZ UDPGothic lacks.

Together they cover {stats["jis_x_0213"][0]:,} of the {stats["jis_x_0213"][1]:,} characters of JIS X 0213:2004 (missing from
every source: {stats["jis_x_0213_missing"] or "none"}). `eligibility/pdf.py` registers Ext and Rare only for a
document with a character outside `primary-characters.txt`. All subsets drop hinting, vertical
metrics and the vertical and alternate layout features.

## Format

WOFF2 without the glyf/loca transform. Measured on the NaviGothic Regular subset: TrueType
1,949 KB; WOFF2 with the transform 1,054 KB, but fontTools (which WeasyPrint uses) takes ~2 s of
Python to undo it, at the first PDF of every process; WOFF2 without it 1,197 KB, decoded in
~50 ms. The PDF embeds the same glyphs whichever file it came from (same PDF, same size).

## Files

| file | family | weight | characters | size |
| --- | --- | --- | --- | --- |
{rows}

Total {total / 1024 / 1024:.1f} MB.
"""
    (OUT / "README.md").write_text(readme, encoding="utf-8")


def write_primary_characters(outputs: list[Output]) -> None:
    """The characters every primary family draws in both weights, 100 to a line; whitespace is
    left out (the check ignores it, and editors trim it)."""
    weights: dict[str, set[int]] = {}
    for output in outputs:
        if output.family in PRIMARY_FAMILIES:
            weights.setdefault(output.weight, set()).update(output.codepoints)
    codes = sorted(set.intersection(*weights.values()))
    text = "".join(chr(code) for code in codes if not chr(code).isspace())
    lines = [text[i : i + 100] for i in range(0, len(text), 100)]
    PRIMARY_CHARACTERS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    outputs, context = plan()
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in [*OUT.glob("*.ttf"), *OUT.glob("*.otf"), *OUT.glob("*.woff2")]:
        stale.unlink()
    sizes = {}
    for output in outputs:
        data = subset_font(output)
        (OUT / output.name).write_bytes(data)
        sizes[output.name] = len(data)
        check = TTFont(io.BytesIO(data), lazy=True)
        got = set(check.getBestCmap())
        if got != output.codepoints:
            sys.exit(f"{output.name}: cmap differs from the plan by {len(got ^ output.codepoints)}")
        print(
            f"{output.name:38} {output.family:19} {len(output.codepoints):6,} chars "
            f"{len(check.getGlyphOrder()):6,} glyphs {len(data) / 1024:8,.0f} KB"
        )
    write_primary_characters(outputs)
    write_licences(context)
    write_readme(outputs, sizes, context)
    total_mb = sum(sizes.values()) / 1024 / 1024
    print(f"total {total_mb:.2f} MB; also wrote {PRIMARY_CHARACTERS.name}, licences, README.md")


if __name__ == "__main__":
    main()
