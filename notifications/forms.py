from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.outbox import NoteKind

from .services import kinds_for

# Each kind's box, one whole sentence each (not "Email me: " glued to the kind's label).
EMAIL_ME = {
    NoteKind.UPDATES: _("Email me what happens on my disputes and orders"),
    NoteKind.MESSAGES: _("Email me new messages from the other party"),
    NoteKind.REMINDERS: _("Email me reminders before a deadline runs out"),
    NoteKind.CASEWORK: _("Email me about cases you hold: new evidence, answers, appeals"),
}


class EmailChoicesForm(forms.Form):
    """One "email me" box per kind of note the person can receive."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds_for(user):
            self.fields[kind.value] = forms.BooleanField(
                required=False, label=EMAIL_ME[NoteKind(kind)]
            )

    def choices(self) -> dict[str, bool]:
        return {kind: bool(on) for kind, on in self.cleaned_data.items()}
