from typing import Any

from django import forms

from accounts.models import User
from core.outbox import NoteKind

from .services import kinds_for


class EmailChoicesForm(forms.Form):
    """One "email me" box per kind of note the person can receive."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds_for(user):
            self.fields[kind.value] = forms.BooleanField(
                required=False, label=f"Email me: {NoteKind(kind).label.lower()}"
            )

    def choices(self) -> dict[str, bool]:
        return {kind: bool(on) for kind, on in self.cleaned_data.items()}
