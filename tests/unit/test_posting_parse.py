"""Reading a job posting from HTML: schema.org JSON-LD in the shapes the big job sites use."""

from __future__ import annotations

import json
from typing import Any

import pytest

from database.io.postings import read_posting
from database.io.postings.mapping import short_host
from database.io.postings.text import plain_text
from tests.support.posting_server import fixture_html
from utils.errors import ValidationError

PAGE = "https://jobs.example.com/postings/1"


def page(*scripts: Any, head: str = "", body: str = "") -> str:
    """An HTML page with one JSON-LD script per item of ``scripts`` (text is sent as is)."""
    tags = "".join(
        '<script type="application/ld+json">'
        + (s if isinstance(s, str) else json.dumps(s))
        + "</script>"
        for s in scripts
    )
    return f"<html><head>{head}{tags}</head><body>{body}</body></html>"


def posting(**fields: Any) -> dict[str, Any]:
    return {"@context": "https://schema.org", "@type": "JobPosting", **fields}


EXPECTED = {
    "greenhouse": {
        "job_title": "Senior Data Engineer",
        "company": "Northwind Analytics",
        "location": "Austin, TX, US",
        "salary_min": 145000,
        "salary_max": 175000,
        "salary_currency": "USD",
        "job_type": "full-time",
        "is_remote": False,
        "notes": "Posted 2026-11-18.",
    },
    "lever": {
        "job_title": "Staff Backend Engineer",
        "company": "Lumen Health",
        "location": "Remote (United States, Canada)",
        "salary_min": 85 * 2080,
        "salary_max": round(105.5 * 2080),
        "salary_currency": "USD",
        "job_type": "contract",
        "is_remote": True,
        "notes": "Posted 2026-10-02. Salary as posted: 85 to 105.5 USD per hour.",
    },
    "linkedin": {
        "job_title": "Machine Learning Engineer",
        "company": "Acme Robotics",
        "location": "Munich, Bavaria, DE",
        "job_type": "full-time",
        "is_remote": False,
        "notes": "Posted 2026-11-25.",
    },
    "indeed": {
        "job_title": "Café Barista (Part-time)",
        "company": "Harbourside Coffee Ltd",
        "location": "Bristol BS1 4DJ",
        "salary_min": 1850 * 12,
        "salary_max": 1850 * 12,
        "salary_currency": "GBP",
        "job_type": "part-time, temporary",
        "job_url": "https://jobs.example.com/viewjob?jk=8a1b2c3d4e5f",
    },
    "workday": {
        "job_title": "Financial Analyst II",
        "company": "Meridian Group",
        "location": "Toronto, Ontario, Canada",
        "salary_min": 78000,
        "salary_max": 96000,
        "salary_currency": "CAD",
    },
    "graph": {
        "job_title": "Développeuse / Développeur Full-Stack",
        "company": "Atelier Numérique",
        "location": "Lyon, FR; Paris, FR",
        "job_url": "https://atelier.example/carrieres/fullstack/",
        "source": "example",
        "salary_min": 48000,
        "salary_currency": "EUR",
    },
    "no_json_ld": {
        "job_title": "Product Designer",
        "company": "Tidepool Studio",
        "job_url": PAGE,
        "is_remote": False,
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sites_page_gives_its_posting(name: str) -> None:
    fields = read_posting(PAGE, fixture_html(name))
    assert {key: fields.get(key) for key in EXPECTED[name]} == EXPECTED[name]
    assert fields["job_description"]


def test_an_escaped_html_description_becomes_paragraphs_of_plain_text() -> None:
    fields = read_posting(PAGE, fixture_html("greenhouse"))
    assert fields["job_description"] == (
        "About Northwind\n\n"
        "We help 2,000 retailers understand their customers & their stock.\n\n"
        "What you will do\n\n"
        "- Design batch and streaming pipelines in Python and SQL\n"
        "- Own our PostgreSQL & Snowflake warehouses\n\n"
        "Salary range: $145,000 \u2013 $175,000."
    )


def test_a_page_without_structured_data_keeps_its_visible_text_as_description() -> None:
    text = read_posting(PAGE, fixture_html("no_json_ld"))["job_description"]
    assert text.startswith("Product Designer\n\nTidepool Studio designs apps")
    assert "- Ship Figma prototypes weekly" in text
    assert "window.analytics" not in text and "Careers" not in text and "©" not in text


def test_an_invalid_script_is_skipped_and_the_next_one_read() -> None:
    html = page("{not json,,}", "", posting(title="SRE", hiringOrganization={"name": "Initech"}))
    assert read_posting(None, html)["company"] == "Initech"


@pytest.mark.parametrize(
    "data",
    [
        [{"@type": "WebSite", "name": "x"}, posting(title="SRE", hiringOrganization="Initech")],
        {"@graph": [posting(title="SRE", hiringOrganization="Initech")]},
        {
            "@type": "WebPage",
            "mainEntity": {
                **posting(title="SRE"),
                "@type": ["JobPosting"],
                "hiringOrganization": "Initech",
            },
        },
        posting(title="SRE", hiringOrganization=[{"@type": "Organization", "name": "Initech"}])
        | {"@type": "http://schema.org/JobPosting"},
    ],
    ids=["array", "graph", "nested-type-list", "schema-url-type"],
)
def test_the_posting_is_found_in_every_json_ld_shape(data: Any) -> None:
    fields = read_posting(None, page(data))
    assert (fields["job_title"], fields["company"]) == ("SRE", "Initech")


def test_a_title_without_company_falls_back_on_the_site_name() -> None:
    html = page(posting(title="SRE"), head='<meta property="og:site_name" content="Initech Jobs">')
    assert read_posting(None, html)["company"] == "Initech Jobs"


@pytest.mark.parametrize(
    ("html", "rule"),
    [
        (page(body="<p>Hello</p>"), "no job posting found: the page has no schema.org"),
        (page(posting(title="SRE")), "no job posting found: the page names no company"),
        ("<html><title>Cats</title></html>", "no job posting found: the page names no company"),
    ],
)
def test_a_page_without_a_posting_is_refused_on_html(html: str, rule: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_posting(None, html)
    assert refused.value.field == "html" and refused.value.rule.startswith(rule)


def test_an_unsafe_or_relative_posting_url_falls_back_on_the_page_address() -> None:
    unsafe = page(posting(title="SRE", hiringOrganization="Initech", url="javascript:alert(1)"))
    assert read_posting(PAGE, unsafe)["job_url"] == PAGE
    relative = page(posting(title="SRE", hiringOrganization="Initech", url="/jobs/7"))
    assert read_posting(PAGE, relative)["job_url"] == "https://jobs.example.com/jobs/7"
    assert "job_url" not in read_posting(None, unsafe)


def test_long_names_are_cut_to_their_column_and_bad_salaries_left_out() -> None:
    salary = {"currency": "dollars", "value": {"minValue": "lots", "maxValue": -5}}
    fields = read_posting(None, page(posting(title="T" * 300, hiringOrganization="Initech",
                                             baseSalary=salary)))  # fmt: skip
    assert len(fields["job_title"]) == 200 and fields["job_title"].endswith("…")
    assert not {"salary_min", "salary_max", "salary_currency"} & set(fields)


def test_a_deeply_nested_document_is_not_a_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValidationError):
        read_posting(None, page(deep))


@pytest.mark.parametrize(
    ("url", "html", "field"),
    [(None, None, "url"), ("ftp://x", None, "url"), (None, "   ", "html"), (None, 5, "html")],
)
def test_a_missing_or_bad_source_is_refused_on_its_field(url: Any, html: Any, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_posting(url, html)
    assert refused.value.field == field


def test_pasted_html_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTING_MAX_BYTES", "2048")
    with pytest.raises(ValidationError) as refused:
        read_posting(
            None, page(posting(title="SRE", hiringOrganization="Initech"), body="x" * 3000)
        )
    assert refused.value.field == "html" and "2048 bytes" in refused.value.rule


@pytest.mark.parametrize(
    ("url", "short"),
    [
        ("https://boards.greenhouse.io/acme/jobs/1", "greenhouse"),
        ("https://jobs.lever.co/acme/1", "lever"),
        ("https://www.linkedin.com/jobs/view/1", "linkedin"),
        ("https://uk.indeed.co.uk/viewjob", "indeed"),
        ("https://acme.wd5.myworkdayjobs.com/en-US/careers", "myworkdayjobs"),
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("http://localhost/x", "localhost"),
    ],
)
def test_the_source_is_the_sites_short_name(url: str, short: str) -> None:
    assert short_host(url) == short


def test_plain_text_keeps_text_that_only_looks_like_markup() -> None:
    assert plain_text("5 < 6 and AT&amp;T\n\n\n\nNext") == "5 < 6 and AT&T\n\nNext"
