"""An organization's slug: lower-case ASCII words joined by hyphens, derived from its name."""

from __future__ import annotations

import pytest

from database.core.keys import SLUG_LENGTH, organization_slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Career Centre", "career-centre"),
        ("  École 42 — Paris! ", "ecole-42-paris"),
        ("STRAẞE & Co.", "strasse-co"),
        ("Школа", "organization"),
        ("---", "organization"),
    ],
)
def test_a_name_gives_its_slug(name: str, slug: str) -> None:
    assert organization_slug(name) == slug


def test_a_long_name_gives_a_slug_that_fits_its_column_without_a_trailing_hyphen() -> None:
    slug = organization_slug("a" * 99 + " b")
    assert len(slug) <= SLUG_LENGTH and not slug.endswith("-")
