"""A deterministic, realistic dataset: users, applications with ~1,500-character descriptions.

The same seed gives the same rows on every run and machine. Words follow a
Zipf-like frequency, so some are in most descriptions (a "common" query) and a
few marker words are in one row in 150 of every user (a "rare" query).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from database.core.keys import keys_for

SEED = 20240601
DESCRIPTION_LENGTH = 1_500
COMMON_QUERY = "python kubernetes"  # each word in over half the rows
RARE_QUERY = "quokka zeppelin"
RARE_RATE = 150  # one row in this many of each user carries the rare words
TITLES = (
    "Senior Python Developer", "Data Engineer", "Backend Engineer", "Frontend Developer",
    "DevOps Engineer", "Machine Learning Engineer", "Product Manager", "QA Engineer",
    "Site Reliability Engineer", "Full Stack Developer", "Data Analyst", "Platform Engineer",
    "Mobile Developer", "Security Engineer", "Engineering Manager", "Solutions Architect",
)  # fmt: skip
CITIES = ("Cape Town", "Johannesburg", "Berlin", "London", "Remote", "Amsterdam", "Lisbon")
SOURCES = ("linkedin", "indeed", "glassdoor", "company_site", "referral")
STATUSES = (
    ("applied", 50), ("screening", 15), ("interview_scheduled", 6), ("interviewed", 4),
    ("offer_received", 2), ("offer_accepted", 1), ("rejected", 20), ("withdrawn", 2),
)  # fmt: skip
_WORD_TEXT = (
    "team experience work build product data systems customers design develop services "
    "platform cloud python java scala kotlin golang rust typescript react django flask "
    "postgresql kubernetes docker terraform aws azure gcp kafka spark airflow pipelines "
    "testing quality security performance scale reliability mentor collaborate agile scrum "
    "remote hybrid office benefits salary equity growth learning ownership impact mission "
    "stakeholders roadmap features api microservices monitoring observability incidents "
    "analytics dashboards reporting machine learning models research experiments startup "
    "enterprise fintech healthtech ecommerce logistics payments banking insurance retail"
)
_BASE_WORDS = _WORD_TEXT.split()
# Dates fall in the year before the day of the run, so "recent" periods are populated.
NOW = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    extra = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(6000)}
    words = list(_BASE_WORDS) + sorted(extra - {"quokka", "zeppelin"})
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]
    return words, weights


class Dataset:
    """Generates application rows for ``users`` users, deterministically by row index."""

    def __init__(self, users: int, description_length: int = DESCRIPTION_LENGTH) -> None:
        self.users = users
        rng = random.Random(SEED)
        words, weights = _vocabulary(rng)
        # A pool of sentences, combined per row: realistic text without per-row cost.
        self.sentences = [
            " ".join(rng.choices(words, weights, k=rng.randint(8, 16))).capitalize() + "."
            for _ in range(20_000)
        ]
        self.companies = [f"{w.capitalize()} {s}" for w, s in
                          zip(rng.choices(words[50:], k=400),
                              rng.choices(("Labs", "Inc", "Group", "Tech", "Systems"), k=400),
                              strict=True)]  # fmt: skip
        self.description_length = description_length

    def user_of(self, index: int) -> int:
        """The user (1-based id) of row ``index``: rows are spread evenly."""
        return index % self.users + 1

    def row(self, index: int) -> dict[str, Any]:
        """Row ``index`` as ``add_job_application`` fields."""
        rng = random.Random(SEED * 7_919 + index)
        parts: list[str] = []
        size = 0
        while size < self.description_length:
            sentence = self.sentences[rng.randrange(len(self.sentences))]
            parts.append(sentence)
            size += len(sentence) + 1
        if (index // self.users) % RARE_RATE == 7:  # a few rows of every user
            parts.insert(rng.randrange(len(parts)), f"Our {RARE_QUERY} project.")
        low = rng.randrange(30, 120) * 1000
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        return {
            "job_title": TITLES[rng.randrange(len(TITLES))],
            "company": self.companies[rng.randrange(len(self.companies))],
            "location": CITIES[rng.randrange(len(CITIES))],
            "job_description": " ".join(parts)[: self.description_length + 200],
            "job_url": f"https://jobs.example.com/posting/{index}",
            "source": SOURCES[rng.randrange(len(SOURCES))],
            "status": status,
            "application_date": NOW - timedelta(minutes=rng.randrange(365 * 24 * 60)),
            "salary_min": low,
            "salary_max": low + rng.randrange(0, 60) * 1000,
            "is_remote": rng.random() < 0.3,
            "match_score": round(rng.uniform(20, 99), 1),
        }

    def user_rows(self, user_id: int, first: int, last: int) -> list[dict[str, Any]]:
        """The user's rows number ``first`` to ``last - 1`` (counted within the user)."""
        return [self.row(user_id - 1 + k * self.users) for k in range(first, last)]


def with_keys(row: dict[str, Any]) -> dict[str, Any]:
    """The row plus its duplicate keys (what the raw driver is given ready-made)."""
    return {**row, **keys_for(row)}
