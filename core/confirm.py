"""The confirm step before an act that cannot be undone (withdraw, accept, rule).

It works without JavaScript: the act's URL shows the step (on GET, or on a POST that lacks
`confirmed`), which says what is about to happen in exact amounts; only a POST carrying the
step's `confirmed` field carries the act out. Words come from each app (what happens is its
rule); this module only holds their shape and the field.
"""

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext

# Fields of a posted form the step must not hand on again: the token is the page's own, and
# the step's own buttons set these.
NOT_CARRIED = {"csrfmiddlewaretoken", "confirmed", "back"}


@dataclass(frozen=True)
class Confirmation:
    """ "You are about to <act>:", what follows from it, and the button that does it."""

    act: str
    consequences: list[str]
    confirm_label: str
    # Defaults in the language of the request that builds the step (not the import's).
    final: str = field(default_factory=lambda: gettext("This cannot be undone."))
    title: str = field(default_factory=lambda: gettext("Please confirm"))
    # What the step posts again with `confirmed`: the typed data, (name, value) pairs.
    carried: list[tuple[str, str]] = field(default_factory=list)


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField()


def is_confirmed(data: QueryDict) -> bool:
    """True only for a POST that came from the confirm step."""
    return ConfirmForm(data).is_valid()


def wants_back(data: QueryDict) -> bool:
    """The step's "Back" button posts the typed data again, to edit it."""
    return "back" in data


def carried(data: QueryDict) -> list[tuple[str, str]]:
    """The posted fields to carry through the step, every value of a multiple choice too."""
    return [
        (name, value)
        for name, values in data.lists()
        if name not in NOT_CARRIED
        for value in values
    ]
