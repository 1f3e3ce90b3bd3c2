"""The PDF export's fonts: every character the machine's fonts can draw, a visible mark otherwise.

The main font is DejaVu Sans; for characters it lacks, fpdf2's fallback fonts
take over: Noto Sans CJK (Chinese, Japanese, Korean), Noto Color Emoji (or
the monochrome Noto Emoji), then Noto Sans and its script families, each
added to a document only when its text needs it (a CJK font is large). The
project's set-up installs them (``scripts/install-fonts.sh``).

Fonts are found by file name in the standard font folders (and every file
``fc-list`` knows, when fontconfig is there). The setting ``PDF_FONT_DIRS``
(folders separated by ``os.pathsep``) replaces that search: the PDF then uses
only the fonts in those folders; an empty folder means the built-in
Helvetica.

A character no font has is drawn as :data:`MISSING_MARK` (``?`` with the
built-in font, which knows only Latin-1), never dropped; each document logs
one warning saying how many were replaced. Invisible format characters
(joiners, variation selectors) a font lacks are left out: they draw nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config

log = logging.getLogger(__name__)

MISSING_MARK = "\u25a1"  # □, in DejaVu Sans
CORE_MISSING_MARK = "?"
CORE_FAMILY = "Helvetica"
MAIN_FILES = ("DejaVuSans.ttf",)
BOLD_FILES = ("DejaVuSans-Bold.ttf",)
#: Fallback fonts, most useful first: each entry is the file names that may provide it.
FALLBACK_FILES: tuple[tuple[str, ...], ...] = (
    ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "DroidSansFallbackFull.ttf"),
    ("NotoColorEmoji.ttf", "NotoEmoji-Regular.ttf"),
    ("NotoSans-Regular.ttf",),
    ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf"),
    ("NotoSansHebrew-Regular.ttf",),
    ("NotoSansDevanagari-Regular.ttf",),
    ("NotoSansThai-Regular.ttf",),
    ("NotoSansSymbols-Regular.ttf",),
    ("NotoSansSymbols2-Regular.ttf",),
    ("NotoSansMath-Regular.ttf",),
)
#: The face of a collection to use (Noto Sans CJK's Simplified Chinese one).
COLLECTION_FACE = {"NotoSansCJK-Regular.ttc": 2}
_STANDARD_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


class PdfSettings(BaseSettings):
    """Where the PDF export looks for fonts (``PDF_*`` variables)."""

    model_config = SettingsConfigDict(env_prefix="PDF_", extra="ignore")

    # Folders separated by os.pathsep, searched instead of the standard ones.
    font_dirs: str | None = None


def load_settings() -> PdfSettings:
    """The settings of the environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(PdfSettings, "PDF_")


@dataclass(frozen=True)
class FontFile:
    """A font file found on this machine, and which face of it (for a collection)."""

    path: Path
    face: int = 0


@dataclass(frozen=True)
class FontSet:
    """The fonts a PDF may use: the main one (``None``: only the built-in font) and fallbacks."""

    main: FontFile | None
    bold: FontFile | None
    fallbacks: tuple[FontFile, ...]


def find_fonts(settings: PdfSettings | None = None) -> FontSet:
    """The fonts of this machine the PDF export uses, per :class:`PdfSettings`."""
    settings = settings or load_settings()
    if settings.font_dirs is not None:
        folders = tuple(p for p in settings.font_dirs.split(os.pathsep) if p)
        return _font_set(folders, use_fontconfig=False)
    return _font_set(_STANDARD_DIRS, use_fontconfig=True)


@cache
def _font_set(folders: tuple[str, ...], use_fontconfig: bool) -> FontSet:
    index = _index(folders, use_fontconfig)

    def first(names: Sequence[str]) -> FontFile | None:
        for name in names:
            if name in index:
                return FontFile(index[name], COLLECTION_FACE.get(name, 0))
        return None

    main = first(MAIN_FILES)
    fallbacks = tuple(f for names in FALLBACK_FILES if (f := first(names)) is not None)
    return FontSet(main, first(BOLD_FILES) or main, fallbacks if main is not None else ())


def _index(folders: Iterable[str], use_fontconfig: bool) -> dict[str, Path]:
    """Font files by file name; the first folder that has a name wins."""
    found: dict[str, Path] = {}
    paths = [*_walk(folders), *(_fontconfig_files() if use_fontconfig else ())]
    for path in paths:
        found.setdefault(path.name, path)
    return found


def _walk(folders: Iterable[str]) -> Iterable[Path]:
    for folder in folders:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for current, _dirs, files in os.walk(root):
            for name in sorted(files):
                if name.lower().endswith(_FONT_SUFFIXES):
                    yield Path(current) / name


def _fontconfig_files() -> list[Path]:
    program = shutil.which("fc-list")
    if program is None:
        return []
    try:
        listed = subprocess.run(  # noqa: S603 (a fixed program and arguments)
            [program, ":", "file"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line.split(":", 1)[0]) for line in listed.stdout.splitlines() if line.strip()]


@cache
def coverage(font: FontFile) -> frozenset[int]:
    """The code points ``font`` has a glyph for (empty when it cannot be read)."""
    try:
        if font.path.suffix.lower() == ".ttc":
            faces = TTCollection(str(font.path), lazy=True)
            face = faces.fonts[font.face]
        else:
            face = TTFont(str(font.path), lazy=True)
        cmap = face.getBestCmap() or {}
    except Exception:  # a broken font file is only one font less
        log.warning("the font file %s cannot be read; it is not used", font.path)
        return frozenset()
    return frozenset(cmap)


def is_invisible(char: str) -> bool:
    """Whether ``char`` draws nothing by itself (joiners, variation selectors, marks of format)."""
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0000 <= code <= 0xE0FFF
    )


#: Blocks of scripts drawn wrong without shaping, beyond the right-to-left ones: the Indic
#: scripts, Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer and Mongolian.
_SHAPED_BLOCKS = ((0x0900, 0x109F), (0x1780, 0x18AF))


@cache
def needs_shaping(char: str) -> bool:
    """Whether ``char`` is of a script whose letters join or reorder (Arabic, Hebrew, Indic)."""
    if unicodedata.bidirectional(char) in ("R", "AL"):
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _SHAPED_BLOCKS)


class DocumentFonts:
    """The fonts of one PDF document: added to it as its text needs them.

    :meth:`text` returns what the document can draw of a text, a visible
    mark in place of each character no font has; :meth:`log_replacements`
    logs how many there were, once, when the document is done.
    """

    def __init__(self, pdf: FPDF, fonts: FontSet | None = None, family: str = "body") -> None:
        self._pdf = pdf
        self._fonts = fonts if fonts is not None else find_fonts()
        self._added: list[str] = []
        self._pending = dict(enumerate(self._fonts.fallbacks))
        self.replaced = 0
        self.shaping = False
        main, bold = self._fonts.main, self._fonts.bold
        if main is None or bold is None:
            self.family, self.mark, self._drawable = CORE_FAMILY, CORE_MISSING_MARK, set(_LATIN_1)
            self._pending = {}
            return
        pdf.add_font(family, "", str(main.path), collection_font_number=main.face)
        pdf.add_font(family, "B", str(bold.path), collection_font_number=bold.face)
        self.family, self.mark = family, MISSING_MARK
        self._drawable = set(coverage(main) & coverage(bold))

    @property
    def unicode(self) -> bool:
        """Whether the document has a Unicode font (else only the built-in Latin-1 one)."""
        return self.family != CORE_FAMILY

    def text(self, value: str) -> str:
        """``value`` as the document can draw it: each character it cannot, as :attr:`mark`.

        The first text of a script that needs shaping turns HarfBuzz shaping
        on for the rest of the document (it costs about five times the plain
        layout, so a document without such text does without it).
        """
        if not self.shaping and self.unicode and any(needs_shaping(c) for c in value):
            self._pdf.set_text_shaping(True)
            self.shaping = True
        if all(ord(c) in self._drawable for c in value):
            return value
        return "".join(self._char(c) for c in value)

    def _char(self, char: str) -> str:
        if char in _SPACING:
            return _SPACING[char]
        if char == "\n" or ord(char) in self._drawable or self._add_fallback_for(ord(char)):
            return char
        if is_invisible(char):
            return ""
        self.replaced += 1
        return self.mark

    def _add_fallback_for(self, code: int) -> bool:
        for number, font in list(self._pending.items()):
            covered = coverage(font)
            if code in covered:
                del self._pending[number]
                name = f"fallback{number}"
                self._pdf.add_font(name, "", str(font.path), collection_font_number=font.face)
                self._added.append(name)
                # Bold text falls back on the regular face: fallbacks have no bold here.
                self._pdf.set_fallback_fonts(self._added, exact_match=False)
                self._drawable |= covered
                return True
        return False

    def log_replacements(self) -> None:
        """Log one warning if any character was replaced by :attr:`mark`."""
        if self.replaced:
            log.warning(
                "PDF export: %d character(s) no installed font can draw were shown as %r"
                " (install the fonts with scripts/install-fonts.sh, or set PDF_FONT_DIRS)",
                self.replaced,
                self.mark,
            )


_LATIN_1 = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))
_SPACING = {"\t": " ", "\r": ""}
