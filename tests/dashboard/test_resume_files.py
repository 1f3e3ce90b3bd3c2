"""Resume files: type by content, size limit, private storage, text and skills."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dashboard import resume_files
from dashboard.skills import extract_skills
from tests.support.resume_objects import docx_bytes, pdf_bytes
from utils.errors import ValidationError


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (pdf_bytes("Senior Python engineer, Kubernetes"), "pdf"),
        (docx_bytes("Senior Python engineer, Kubernetes"), "docx"),
        (b"Senior Python engineer, Kubernetes", "txt"),
    ],
)
def test_each_kind_is_recognised_stored_and_read(tmp_path: Path, content: bytes, kind: str) -> None:
    stored = resume_files.store(tmp_path, 7, content)
    assert stored.kind == kind
    assert "Senior Python engineer" in stored.text
    assert stored.skills == ["Python", "Kubernetes"]
    assert stored.path.parent == tmp_path / "resumes" / "7"
    assert stored.path.read_bytes() == content
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"PK\x03\x04not really a zip",
        "caf\u00e9".encode("latin-1"),
    ],
)
def test_files_that_are_not_resumes_are_refused_and_nothing_is_written(
    tmp_path: Path, content: bytes
) -> None:
    with pytest.raises(ValidationError) as caught:
        resume_files.store(tmp_path, 7, content)
    assert caught.value.field == "file"
    assert not (tmp_path / "resumes").exists()


def test_a_pdf_header_on_garbage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not a readable PDF"):
        resume_files.store(tmp_path, 7, b"%PDF-1.7 garbage")


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at most 5 MB"):
        resume_files.store(tmp_path, 7, b"a" * (resume_files.MAX_BYTES + 1))


def test_remove_deletes_only_inside_the_resume_folder(tmp_path: Path) -> None:
    outside = tmp_path / "keep.txt"
    outside.write_text("x")
    stored = resume_files.store(tmp_path, 7, b"Python")
    assert not resume_files.remove(tmp_path, str(outside))
    assert not resume_files.remove(tmp_path, str(tmp_path / "resumes" / ".." / "keep.txt"))
    assert outside.exists()
    assert resume_files.remove(tmp_path, str(stored.path))
    assert not stored.path.exists()


def test_skills_match_whole_terms_only() -> None:
    text = "C++ and C# with .NET; CI/CD on Go. Golang? Rust-lang, react; Java, JavaScript"
    assert extract_skills(text) == [
        "Java", "JavaScript", "Go", "Rust", "C++", "C#", "React", ".NET", "CI/CD"
    ]  # fmt: skip
    assert extract_skills("Rrrr, cargo, go-getter") == []
    assert extract_skills("python", vocabulary=["Python", "SQL"]) == ["Python"]
