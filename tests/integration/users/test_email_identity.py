"""Email identity: one account per case-folded, NFKC-normalised address, on every engine.

SQLite's ``lower()`` folds ASCII only and PostgreSQL's depends on the database
collation, so these cases are exactly the ones a ``lower(email)`` identity gets
wrong on at least one engine.
"""

from __future__ import annotations

import threading
import unicodedata

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.models import User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError

# (spelling at sign-up, other spellings of the same person)
SAME_PERSON = [
    # Precomposed É, lower case, and E + combining acute (NFD) in both cases.
    ("Émile@x.org", ["émile@x.org", "ÉMILE@X.ORG", "E\u0301mile@x.org", "e\u0301MILE@x.org"]),
    # Full case folding: ß folds to "ss", and so does the capital sharp s ẞ.
    ("straße@x.org", ["STRASSE@x.org", "Strasse@X.org", "STRAẞE@x.org"]),
    # Greek: final, medial and capital sigma fold to one letter.
    ("οδυσσευς@x.org", ["ΟΔΥΣΣΕΥΣ@x.org", "Οδυσσευσ@x.org"]),
    # Cyrillic, which SQLite's lower() leaves alone.
    ("Иван@x.org", ["иван@x.org", "ИВАН@X.ORG"]),
    # Turkish dotted capital İ folds to i + combining dot above, in either form.
    ("İstanbul@x.org", ["i\u0307stanbul@x.org", "İSTANBUL@x.org"]),
    # NFKC: full-width letters and the "fi" ligature are their plain forms.
    ("file@x.org", ["\uff26\uff29\uff2c\uff25@x.org", "\ufb01le@x.org"]),
]
# Letters that look alike but are different letters stay different accounts: locale-free
# folding keeps the Turkish dotless i (U+0131) apart from i, and Latin a from Cyrillic a.
DIFFERENT_PEOPLE = [
    ("\u0131l\u0131k@x.org", "ilik@x.org"),
    ("İstanbul@x.org", "istanbul@x.org"),
    ("anna@x.org", "\u0430nna@x.org"),
]


@pytest.mark.parametrize(("signup", "others"), SAME_PERSON, ids=[s for s, _ in SAME_PERSON])
def test_every_form_of_an_address_finds_the_same_user(
    db: DatabaseManager, signup: str, others: list[str]
) -> None:
    user = DatabaseUtils.create_user(email=signup)
    for other in [signup, *others]:
        found = DatabaseUtils.get_user_by_email(other)
        assert found is not None and found.id == user.id, other
        assert found.email == signup


@pytest.mark.parametrize(("signup", "others"), SAME_PERSON, ids=[s for s, _ in SAME_PERSON])
def test_a_second_account_in_another_form_is_refused(
    db: DatabaseManager, signup: str, others: list[str]
) -> None:
    DatabaseUtils.create_user(email=signup)
    for other in others:
        with pytest.raises(ValidationError) as info:
            DatabaseUtils.create_user(email=other)
        assert info.value.field == "email", other
    assert len(DatabaseUtils.list_users()) == 1


def test_emile_then_lower_case_emile_is_a_duplicate(db: DatabaseManager) -> None:
    DatabaseUtils.create_user(email="Émile@x.org")
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.create_user(email="émile@x.org")
    assert info.value.field == "email"


@pytest.mark.parametrize(("one", "other"), DIFFERENT_PEOPLE)
def test_lookalike_letters_are_different_accounts(
    db: DatabaseManager, one: str, other: str
) -> None:
    first = DatabaseUtils.create_user(email=one)
    second = DatabaseUtils.create_user(email=other)
    assert first.id != second.id
    assert existing(DatabaseUtils.get_user_by_email(one)).id == first.id
    assert existing(DatabaseUtils.get_user_by_email(other)).id == second.id


def test_the_stored_email_keeps_the_persons_spelling(db: DatabaseManager) -> None:
    decomposed = "E\u0301mile.Dupont@X.org"
    user = DatabaseUtils.create_user(email=decomposed)
    stored = existing(DatabaseUtils.get_user_by_id(user.id))
    assert stored.email == decomposed
    assert stored.email != unicodedata.normalize("NFC", decomposed)


def test_updating_to_another_users_email_in_any_form_is_refused_and_changes_nothing(
    db: DatabaseManager,
) -> None:
    emile = DatabaseUtils.create_user(email="Émile@x.org")
    ann = DatabaseUtils.create_user(email="ann@x.org", first_name="Ann")
    for taken in ("émile@x.org", "E\u0301MILE@x.org"):
        with pytest.raises(ValidationError) as info:
            DatabaseUtils.update_user(ann.id, email=taken, first_name="Changed")
        assert info.value.field == "email"
    after = existing(DatabaseUtils.get_user_by_id(ann.id))
    assert (after.email, after.first_name) == ("ann@x.org", "Ann")
    assert existing(DatabaseUtils.get_user_by_email("ANN@X.ORG")).id == ann.id
    assert existing(DatabaseUtils.get_user_by_email("émile@x.org")).id == emile.id


def test_an_updated_email_is_found_in_any_form_and_the_old_one_is_free(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="old@x.org")
    DatabaseUtils.update_user(user.id, email="Straße@x.org")
    assert existing(DatabaseUtils.get_user_by_email("STRASSE@X.ORG")).id == user.id
    assert DatabaseUtils.get_user_by_email("old@x.org") is None
    with pytest.raises(ValidationError):
        DatabaseUtils.create_user(email="strasse@x.org")
    assert DatabaseUtils.create_user(email="OLD@x.org").id != user.id


def test_a_user_may_change_the_case_of_their_own_email(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="émile@x.org")
    DatabaseUtils.update_user(user.id, email="ÉMILE@x.org")
    assert existing(DatabaseUtils.get_user_by_id(user.id)).email == "ÉMILE@x.org"
    assert existing(DatabaseUtils.get_user_by_email("e\u0301mile@x.org")).id == user.id


def test_the_unique_index_refuses_two_forms_written_directly(db: DatabaseManager) -> None:
    # Past the "email is free" probe, as two racing sign-ups would be.
    with pytest.raises(ValidationError) as info, db_session_scope() as session:
        session.add_all([User(email="Émile@x.org"), User(email="e\u0301MILE@x.org")])
    assert info.value.field == "email"
    assert DatabaseUtils.list_users() == []


def test_racing_signups_in_different_forms_create_one_user(db: DatabaseManager) -> None:
    forms = ["Émile@x.org", "émile@x.org", "E\u0301MILE@x.org", "e\u0301mile@X.ORG"] * 3
    barrier = threading.Barrier(len(forms))
    outcomes: list[object] = []
    lock = threading.Lock()

    def sign_up(email: str) -> None:
        barrier.wait()
        try:
            result: object = DatabaseUtils.create_user(email=email).id
        except Exception as exc:
            result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=sign_up, args=(e,)) for e in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    created = [o for o in outcomes if isinstance(o, int)]
    failed = [o for o in outcomes if not isinstance(o, int)]
    assert len(created) == 1
    assert all(isinstance(f, ValidationError) and f.field == "email" for f in failed), failed
    with db_session_scope() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_verify_user_password_accepts_any_form_of_the_email(db: DatabaseManager) -> None:
    DatabaseUtils.create_user(email="Émile@x.org", password="correct horse battery")
    for form in ("Émile@x.org", "émile@X.ORG", "E\u0301MILE@x.org", " émile@x.org "):
        assert DatabaseUtils.verify_user_password(form, "correct horse battery"), form
    assert not DatabaseUtils.verify_user_password("emile@x.org", "correct horse battery")
