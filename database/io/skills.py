"""The skills vocabulary and the matcher that finds its terms in resume text.

Used by :mod:`database.io.resume_files` for every uploaded resume, whether it
came through the dashboard or the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Skills recognised in resumes, as they are displayed.
VOCABULARY: tuple[str, ...] = (
    "Python",
    "Java",
    "JavaScript",
    "TypeScript",
    "Go",
    "Rust",
    "C",
    "C++",
    "C#",
    "Ruby",
    "PHP",
    "Kotlin",
    "Swift",
    "Scala",
    "R",
    "SQL",
    "Bash",
    "HTML",
    "CSS",
    "Django",
    "Flask",
    "FastAPI",
    "Spring",
    "React",
    "Angular",
    "Vue",
    "Node.js",
    "Next.js",
    "Rails",
    ".NET",
    "Pandas",
    "NumPy",
    "Spark",
    "Hadoop",
    "Airflow",
    "dbt",
    "Kafka",
    "TensorFlow",
    "PyTorch",
    "scikit-learn",
    "Machine Learning",
    "Deep Learning",
    "NLP",
    "Data Analysis",
    "Data Engineering",
    "Statistics",
    "Tableau",
    "Power BI",
    "Excel",
    "PostgreSQL",
    "MySQL",
    "SQLite",
    "MongoDB",
    "Redis",
    "Elasticsearch",
    "Snowflake",
    "AWS",
    "Azure",
    "GCP",
    "Docker",
    "Kubernetes",
    "Terraform",
    "Ansible",
    "Linux",
    "Git",
    "CI/CD",
    "Jenkins",
    "GitHub Actions",
    "REST",
    "GraphQL",
    "gRPC",
    "Microservices",
    "Agile",
    "Scrum",
    "Kanban",
    "Project Management",
    "Product Management",
    "Leadership",
    "Communication",
    "Customer Service",
    "Sales",
    "Marketing",
    "SEO",
    "Accounting",
    "Figma",
    "UX",
    "UI Design",
    "Testing",
    "Selenium",
    "Pytest",
    "Security",
)


# Short names are languages only in their exact case ("R", "C", "Go").
_CASE_SENSITIVE = frozenset({"C", "R", "Go"})


def _pattern(term: str) -> re.Pattern[str]:
    # Word edges that also work for terms like "C++", ".NET" and "CI/CD".
    flags = 0 if term in _CASE_SENSITIVE else re.IGNORECASE
    return re.compile(rf"(?<![\w+#.]){re.escape(term)}(?![\w+#])", flags)


_PATTERNS = tuple((term, _pattern(term)) for term in VOCABULARY)


def extract_skills(text: str, vocabulary: Iterable[str] | None = None) -> list[str]:
    """The vocabulary's terms found in ``text``, in vocabulary order, each once."""
    patterns = _PATTERNS if vocabulary is None else tuple((t, _pattern(t)) for t in vocabulary)
    return [term for term, pattern in patterns if pattern.search(text)]
