"""How the platform names a person, on every page, export, email and API answer: one rule."""


def display_name(user) -> str:
    """The full name the person gave, else their username (a user, never None)."""
    return user.get_full_name() or user.get_username()
