"""What a person changes about their own account: the language they read and their time zone."""

from core.zones import is_zone

from .models import User
from .personal import is_language


def account_preferences_save(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> None:
    """Save the person's language and/or zone (None: left as it is). The header's switch
    changes the language alone, the account page both.

    Checked here too: a model's `choices` are not enforced on save, and a name outside them
    would be activated on every request."""
    if language is not None and not is_language(language):
        raise ValueError(f"not a language Parley is written in: {language!r}")
    if time_zone is not None and not is_zone(time_zone):
        raise ValueError(f"not a time zone: {time_zone!r}")
    changes = {"language": language, "time_zone": time_zone}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(user, name, changes[name])
    if fields:
        user.save(update_fields=fields)


def account_first_seen(*, user: User, time_zone: str, language: str) -> None:
    """At sign-in: what the person has not chosen yet is taken from their browser (the zone
    its clock runs in, the language the page was shown in). A choice already made is never
    overwritten, even one made a moment ago in another tab: each update holds only while the
    field is still blank. A value that is not a zone or a language is skipped."""
    if is_zone(time_zone):
        User.objects.filter(pk=user.pk, time_zone="").update(time_zone=time_zone)
    if is_language(language):
        User.objects.filter(pk=user.pk, language="").update(language=language)
    user.refresh_from_db(fields=["language", "time_zone"])
