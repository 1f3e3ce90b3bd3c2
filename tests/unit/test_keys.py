"""The derived lookup keys of database.core.keys: pure rules, pinned without a database.

The digests are stored in indexed columns, so a change to any rule here changes
which stored rows a lookup finds: these tests pin the rules and the stored form.
"""

from __future__ import annotations

import pytest

from database.core.keys import (
    KEY_LENGTH,
    TRACKING_PARAMETERS,
    email_key,
    keys_for,
    normalise_url,
    posting_key,
    url_key,
)


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Mixed.Case@Example.COM", "mixed.case@example.com"),
        ("  padded@x.org \t", "padded@x.org"),
        ("E\u0301mile@x.org", "émile@x.org"),  # NFD composed to NFC
        ("ÉMILE@X.ORG", "émile@x.org"),
        ("STRAẞE@x.org", "strasse@x.org"),  # full case folding, not lower()
        ("straße@x.org", "strasse@x.org"),
        ("\uff26\uff55\uff4c\uff4c@x.org", "full@x.org"),  # full-width letters
        ("\ufb01le@x.org", "file@x.org"),  # the "fi" ligature
        ("ΟΔΥΣΣΕΥΣ@x.org", "οδυσσευσ@x.org"),  # final sigma folds too
    ],
)
def test_email_key_is_the_nfkc_casefolded_address_without_surrounding_spaces(
    email: str, key: str
) -> None:
    assert email_key(email) == key


def test_email_key_keeps_look_alike_letters_apart() -> None:
    assert email_key("\u0131lik@x.org") != email_key("ilik@x.org")  # Turkish dotless i
    assert email_key("\u0430nna@x.org") != email_key("anna@x.org")  # Cyrillic a


#: Written out, not read from TRACKING_PARAMETERS, so that dropping one from the rule fails here.
CLICK_TRACKERS = ["fbclid", "gclid", "mc_cid", "mc_eid", "ref", "refid", "referrer", "src",
                  "source", "trk", "utm_source", "UTM_Medium", "utm_anything"]  # fmt: skip


def test_the_tracking_parameters_are_exactly_the_click_trackers() -> None:
    assert {"utm_source", "UTM_Medium", "utm_anything"} | TRACKING_PARAMETERS == set(CLICK_TRACKERS)


@pytest.mark.parametrize("parameter", CLICK_TRACKERS)
def test_normalised_url_drops_each_tracking_parameter(parameter: str) -> None:
    url = f"https://jobs.example/view/42?id=7&{parameter}=campaign"
    assert normalise_url(url) == "jobs.example/view/42?id=7"


def test_tracking_parameter_names_match_in_any_case() -> None:
    assert normalise_url("https://x.example/j?Ref=feed&GCLID=1&FbClid=2") == "x.example/j"


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://www.jobs.example/view/42/", "jobs.example/view/42"),  # scheme, www., slash
        ("HTTP://JOBS.EXAMPLE/View/42#apply", "jobs.example/View/42"),  # host case, fragment
        ("https://jobs.example:443/a", "jobs.example/a"),  # default ports
        ("http://jobs.example:80/a", "jobs.example/a"),
        ("http://jobs.example:8080/a", "jobs.example:8080/a"),  # other ports are kept
        ("jobs.example/a", "jobs.example/a"),  # no scheme
        ("  https://jobs.example/a  ", "jobs.example/a"),
        ("https://x.example/j?id=1&b=2", "x.example/j?b=2&id=1"),  # meaningful, sorted
        ("https://x.example/j?keep=&id=3", "x.example/j?id=3&keep="),  # blank values kept
    ],
)
def test_normalised_url_keeps_only_what_names_the_posting(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


@pytest.mark.parametrize(
    ("url", "normal"),
    [("[Broken", "[broken"), ("http://x.example:99999/A", "http://x.example:99999/a")],
)
def test_an_unparsable_url_is_compared_as_case_folded_text(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


@pytest.mark.parametrize("url", [None, "", "   "])
def test_no_address_has_no_url_key(url: str | None) -> None:
    assert normalise_url(url) is None
    assert url_key(url) is None


def test_url_key_is_the_stored_digest_of_the_normalised_address() -> None:
    # sha256("jobs.example/view/42"), first KEY_LENGTH hex digits: the stored form.
    expected = "a5311e58cfb5f6f46b4e74f05fec72f9"
    assert len(expected) == KEY_LENGTH
    assert url_key("https://www.jobs.example/view/42?utm_source=x&ref=feed") == expected
    assert url_key("https://jobs.example/view/43") != expected


def test_posting_key_folds_case_accents_punctuation_and_spacing() -> None:
    # sha256 of the folded parts joined by U+001F, first KEY_LENGTH hex digits.
    expected = "ca063985ccb75db58d7f6dac6737c45f"
    assert posting_key("Société Générale", "Data Engineer", "Paris") == expected
    assert posting_key("SOCIETE  GENERALE!", "data-engineer", " paris ") == expected


def test_posting_key_keeps_the_fields_apart() -> None:
    assert posting_key("Acme", "Dev", "Berlin") != posting_key("Acme", "Dev", "Paris")
    assert posting_key("Acme Dev", "Ops", None) != posting_key("Acme", "Dev Ops", None)
    assert posting_key("Acme", "Dev", None) == posting_key("Acme", "Dev", "")


@pytest.mark.parametrize(("company", "title"), [(None, "Dev"), ("Acme", None), ("", "Dev")])
def test_posting_key_needs_company_and_title(company: str | None, title: str | None) -> None:
    assert posting_key(company, title, "Berlin") is None


def test_keys_for_derives_both_keys_from_an_applications_fields() -> None:
    fields = {"job_url": "jobs.example/view/42", "company": "Société Générale",
              "job_title": "Data Engineer", "location": "Paris", "notes": "ignored"}  # fmt: skip
    assert keys_for(fields) == {
        "url_key": "a5311e58cfb5f6f46b4e74f05fec72f9",
        "posting_key": "ca063985ccb75db58d7f6dac6737c45f",
    }
    assert keys_for({}) == {"url_key": None, "posting_key": None}
