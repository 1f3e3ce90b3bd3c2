"""Pages of results: the bounds a Page is checked against, and how it is applied."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.engine import default

from database.core.paging import ANY_PAGE, Page, PageBounds
from database.domain.search import SEARCH_PAGES
from utils.errors import ValidationError

ANY_LIMIT = "must be a positive integer or None"
ANY_OFFSET = "must be a non-negative integer"
SEARCH_LIMIT = "must be an integer from 1 to 100"
SEARCH_OFFSET = "must be an integer from 0 to 10000"

rows = Table("rows", MetaData(), Column("id", Integer, primary_key=True))


def _refused(limit: Any, offset: Any, bounds: PageBounds = ANY_PAGE) -> tuple[str, str, Any]:
    with pytest.raises(ValidationError) as info:
        Page.of(limit, offset, bounds)
    return info.value.field, info.value.rule, info.value.value


def test_a_listing_page_accepts_no_limit_and_any_offset() -> None:
    assert Page.of(None, 0) == Page(None, 0)
    assert Page.of(1, 10**9) == Page(1, 10**9)
    assert Page.of() == Page()


@pytest.mark.parametrize("limit", [0, -1, True, False, 1.0, "5"])
def test_a_listing_page_refuses_a_limit_that_is_not_a_positive_integer(limit: Any) -> None:
    assert _refused(limit, 0) == ("limit", ANY_LIMIT, limit)


@pytest.mark.parametrize("offset", [-1, True, False, None, 0.0, "0"])
def test_a_listing_page_refuses_an_offset_that_is_not_a_non_negative_integer(offset: Any) -> None:
    assert _refused(None, offset) == ("offset", ANY_OFFSET, offset)


def test_the_limit_is_checked_before_the_offset() -> None:
    assert _refused(0, -1)[0] == "limit"


def test_a_search_page_requires_a_limit_within_its_maximum() -> None:
    assert Page.of(1, 0, SEARCH_PAGES) == Page(1, 0)
    assert Page.of(100, 10_000, SEARCH_PAGES) == Page(100, 10_000)
    for limit in (None, 0, 101, True):
        assert _refused(limit, 0, SEARCH_PAGES) == ("limit", SEARCH_LIMIT, limit)


def test_a_search_page_refuses_an_offset_above_its_maximum() -> None:
    for offset in (-1, 10_001, False):
        assert _refused(20, offset, SEARCH_PAGES) == ("offset", SEARCH_OFFSET, offset)


def test_the_rules_name_the_bounds_in_force() -> None:
    assert _refused(None, 0, PageBounds(limit_required=True))[1] == "must be a positive integer"
    assert _refused(6, 0, PageBounds(max_limit=5))[1] == "must be an integer from 1 to 5 or None"
    assert Page.of(None, 0, PageBounds(max_limit=5)) == Page(None, 0)


def test_a_page_made_directly_is_checked_too() -> None:
    with pytest.raises(ValidationError, match=r"^limit: "):
        Page(0)
    with pytest.raises(ValidationError, match=r"^offset: "):
        Page(None, -1)


def test_a_page_cannot_be_changed() -> None:
    page = Page(10, 20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.limit = 5  # type: ignore[misc]


def _sql(page: Page) -> str:
    # The default dialect: SQLite's adds "OFFSET 0" after any LIMIT by itself.
    return str(page.apply(select(rows.c.id)).compile(dialect=default.DefaultDialect()))


def test_applying_a_page_adds_limit_and_offset() -> None:
    assert _sql(Page(10, 20)).endswith("LIMIT :param_1 OFFSET :param_2")


def test_the_first_page_sends_no_offset_and_no_limit_means_every_row() -> None:
    assert "OFFSET" not in _sql(Page(10, 0))
    assert "LIMIT" not in _sql(Page(None, 0))


def test_params_bind_limit_and_offset_of_a_text_statement() -> None:
    assert Page(5, 15).params() == {"limit": 5, "offset": 15}
