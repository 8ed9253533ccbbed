from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.zones import is_zone, zone_names

ZONE_LENGTH = 64  # User.time_zone's column


class BrowserZoneField(forms.Field):
    """The zone the browser's clock runs in, as static/js/zone.js reports it. The browser's
    word, not the person's: a value that names no zone is dropped, never an error that could
    stop someone signing in."""

    widget = forms.HiddenInput(attrs={"data-browser-zone": ""})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> str:
        return value if isinstance(value, str) and is_zone(value) else ""


class SignInForm(AuthenticationForm):
    """Django's sign-in, plus the browser's zone (empty without JavaScript), saved on the
    account at the first sign-in."""

    time_zone = BrowserZoneField()


@cache
def _zones_by_key() -> dict[str, str]:
    return {_key(name): name for name in zone_names()}


def _key(text: str) -> str:
    return text.strip().replace(" ", "_").casefold()


class ZoneField(forms.CharField):
    """A zone typed as region and city; case and spaces for underscores are forgiven
    ("america/sao paulo" is America/Sao_Paulo)."""

    default_error_messages = {
        "unknown": _(
            "Parley does not know this time zone. Write it as region and city, "
            "as in Europe/Lisbon or America/Sao_Paulo."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=ZONE_LENGTH, **kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        zone = _zones_by_key().get(_key(text))
        if zone is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return zone


class PreferencesForm(forms.Form):
    """The account page: the language Parley speaks to the person in, and their time zone."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = ZoneField(
        label=_("Time zone"),
        help_text=_(
            "Every date, time and deadline on Parley and in its emails is shown in this zone."
        ),
        widget=forms.TextInput(
            attrs={"list": "zone-names", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, browser_zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if browser_zone:
            note = gettext("Your browser's clock is set to %(zone)s.") % {"zone": browser_zone}
            self.fields["time_zone"].note = note  # type: ignore[attr-defined]


class LanguageSwitchForm(forms.Form):
    """The header's switch: a language, and the page to return to (only one of this site's)."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, host: str, https: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.host, self.https = host, https

    def clean_next(self) -> str:
        """The page to go back to, if it is on this site; else "" (the person's home)."""
        target: str = self.cleaned_data.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.host}, require_https=self.https
        )
        return target if safe else ""
