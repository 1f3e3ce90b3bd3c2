"""The Contacts page and an application's contacts under AppTest."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes

Start = Callable[..., AppTest]
ADD = "FormSubmitter:contact_form-Add contact"


def test_adding_a_contact_lists_it_and_every_bad_field_is_shown_at_once(
    app: Start, user_id: int
) -> None:
    at = app(user_id, page="Contacts")
    no_exceptions(at)
    at.text_input(key="contact_form.name").set_value("  ")
    at.text_input(key="contact_form.email").set_value("ada-at-example")
    at.text_input(key="contact_form.linkedin_url").set_value("javascript:alert(1)")
    at.button(key=ADD).click().run()
    no_exceptions(at)
    assert len(errors(at)) == 3
    assert DatabaseUtils.list_contacts(user_id) == []

    at.text_input(key="contact_form.name").set_value("Ada Lovelace")
    at.text_input(key="contact_form.email").set_value("ada@example.com")
    at.text_input(key="contact_form.linkedin_url").set_value("")
    at.button(key=ADD).click().run()
    no_exceptions(at)
    assert successes(at) == ["Contact saved."]
    (saved,) = DatabaseUtils.list_contacts(user_id)
    assert (saved.name, saved.email) == ("Ada Lovelace", "ada@example.com")
    assert list(at.dataframe[0].value["Name"]) == ["Ada Lovelace"]


def test_a_chosen_contact_is_edited_marked_contacted_and_searched(app: Start, user_id: int) -> None:
    ada = DatabaseUtils.add_contact(user_id, "Ada", company="Acme")
    DatabaseUtils.add_contact(user_id, "Émile", company="Globex")
    at = app(user_id, page="Contacts")
    at.selectbox(key="contacts.chosen").set_value(ada.id).run()
    at.text_input(key=f"contact_form.{ada.id}.role").set_value("Recruiter")
    at.button(key=f"FormSubmitter:contact_form.{ada.id}-Save changes").click().run()
    no_exceptions(at)
    at.button(key=f"contacts.mark.{ada.id}").click().run()
    no_exceptions(at)
    stored = DatabaseUtils.get_contact(ada.id)
    assert stored is not None and stored.role == "Recruiter"
    assert stored.last_contacted_at is not None
    at.text_input(key="contacts.search").set_value("ÉMILE").run()
    assert list(at.dataframe[0].value["Name"]) == ["Émile"]


def test_an_application_links_and_unlinks_a_contact(app: Start, user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Dev", "Acme")
    ada = DatabaseUtils.add_contact(user_id, "Ada", company="Acme")
    at = app(user_id)
    key = f"application_contacts.{application.id}"
    at.selectbox(key=f"{key}.choice").set_value(ada.id)
    at.button(key=f"{key}.link").click().run()
    no_exceptions(at)
    assert [c.id for c in DatabaseUtils.get_application_contacts(application.id)] == [ada.id]
    at.button(key=f"{key}.unlink.{ada.id}").click().run()
    no_exceptions(at)
    assert DatabaseUtils.get_application_contacts(application.id) == []
