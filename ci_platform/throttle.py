"""The name django-axes counts failed sign-ins under (AXES_USERNAME_CALLABLE in settings).

django-axes records the username as typed, in columns of 255 characters, for every form that signs
in (the platform's, the admin's). A longer one, which no account has (Django allows 150), made the
record fail and the sign-in page answer 500 to anybody. It is counted under its first 255
characters instead: the form answers as for any wrong name, and repeated tries are throttled.
"""

from __future__ import annotations

from axes.conf import settings
from axes.models import AccessAttempt

LONGEST = AccessAttempt._meta.get_field("username").max_length


def username(request, credentials: dict | None = None) -> str | None:
    """The username given, found as django-axes finds it (the credentials, else the posted form),
    cut to what its tables hold."""
    form = credentials or getattr(request, "data", request.POST)
    given = form.get(settings.AXES_USERNAME_FORM_FIELD)
    return given[:LONGEST] if isinstance(given, str) else given
