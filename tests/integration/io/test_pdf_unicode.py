"""The PDF export draws every character the machine's fonts have, and marks the rest visibly."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from database.io import exports, pdf_fonts
from database.io.pdf_fonts import CORE_MISSING_MARK, MISSING_MARK, PdfSettings
from database.models import ApplicationStatus, JobApplication

TITLE = "数据工程师 🚀 Ünïcødé Ελληνικά العربية"
NO_FONT_HAS = "\U0010fffd"  # a private-use character: no font of a distribution draws it
HEADER = exports.ReportHeader("Ann", "ann@example.com", None, "2026")


def application(title: str) -> JobApplication:
    moment = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    return JobApplication(
        id=1,
        user_id=1,
        job_title=title,
        company="Initech",
        status=ApplicationStatus.APPLIED,
        application_date=moment,
        status_changed_at=moment,
    )


def pdf_text(title: str) -> str:
    content = exports.applications_pdf(HEADER, [application(title)], {})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\x00", "")  # pypdf's reading of the CJK font's two-byte codes


def visible(text: str) -> Counter[str]:
    return Counter(c for c in text if not c.isspace() and not pdf_fonts.is_invisible(c))


def installed(*names: str) -> bool:
    fonts = pdf_fonts.find_fonts(PdfSettings(font_dirs=None))
    found = {f.path.name for f in (fonts.main, *fonts.fallbacks) if f is not None}
    return all(name in found for name in names)


@pytest.fixture
def no_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv("PDF_FONT_DIRS", str(empty))
    return empty


def test_each_character_of_the_title_is_drawn_or_visibly_marked_never_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PDF_FONT_DIRS", raising=False)
    wanted = visible(TITLE)
    found = visible(pdf_text(TITLE))
    missing = {c: n for c, n in wanted.items() if found[c] < n}
    marks = found[MISSING_MARK]
    # Every character is there, or its place is taken by the mark, one mark per character.
    assert sum(missing.values()) <= marks, missing


def test_with_the_projects_fonts_chinese_emoji_greek_and_arabic_are_all_drawn(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # make setup installs them (scripts/install-fonts.sh); without them this cannot pass.
    fonts = ("DejaVuSans.ttf", "NotoSansCJK-Regular.ttc", "NotoColorEmoji.ttf")
    assert installed(*fonts), f"install the fonts of scripts/install-fonts.sh: {fonts}"
    monkeypatch.delenv("PDF_FONT_DIRS", raising=False)
    with caplog.at_level(logging.WARNING, logger=pdf_fonts.__name__):
        found = visible(pdf_text(TITLE))
    assert all(found[c] >= n for c, n in visible(TITLE).items())
    assert found[MISSING_MARK] == 0 and not caplog.records


def test_a_character_no_font_has_is_marked_and_counted_once_per_export(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=pdf_fonts.__name__):
        text = pdf_text(f"Engineer {NO_FONT_HAS}{NO_FONT_HAS} ok")
    assert NO_FONT_HAS not in text
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "2 character(s)" in warnings[0]
    assert text.count(MISSING_MARK) + text.count(CORE_MISSING_MARK) >= 2


def test_without_any_font_file_the_built_in_font_marks_what_it_cannot_draw(
    no_fonts: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=pdf_fonts.__name__):
        text = pdf_text(TITLE)
    assert "Ünïcødé" in text  # Latin-1 is the built-in font's own
    outside_latin_1 = sum(n for c, n in visible(TITLE).items() if ord(c) > 0xFF)
    assert text.count(CORE_MISSING_MARK) == outside_latin_1
    assert f"{outside_latin_1} character(s)" in caplog.records[0].getMessage()


def test_a_font_folder_setting_replaces_the_search(no_fonts: Path) -> None:
    assert pdf_fonts.find_fonts().main is None
    dejavu = pdf_fonts.find_fonts(PdfSettings(font_dirs=None))
    assert dejavu.main is not None, "make setup installs DejaVu Sans (scripts/install-fonts.sh)"
    assert pdf_fonts.find_fonts(PdfSettings(font_dirs=str(dejavu.main.path.parent))).main


def test_invisible_format_characters_are_not_counted_as_lost() -> None:
    assert pdf_fonts.is_invisible("\u200d") and pdf_fonts.is_invisible("\ufe0f")
    assert not pdf_fonts.is_invisible("a") and unicodedata.category("\u25a1") == "So"


def test_arabic_text_turns_shaping_on_so_its_letters_join_and_latin_text_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PDF_FONT_DIRS", raising=False)
    pdf = FPDF()
    fonts = pdf_fonts.DocumentFonts(pdf)
    assert fonts.text("Data Engineer · Zürich") and not fonts.shaping and not pdf.text_shaping
    assert fonts.text("مهندس بيانات") and fonts.shaping and pdf.text_shaping
    assert pdf_fonts.needs_shaping("ש") and pdf_fonts.needs_shaping("क")
    assert not pdf_fonts.needs_shaping("é") and not pdf_fonts.needs_shaping("数")
