from database.utilities import DatabaseUtils


def test_create_user_round_trip(db):
    user = DatabaseUtils.create_user(email="a@example.com", first_name="A")
    assert DatabaseUtils.get_user_by_id(user.id).email == "a@example.com"
