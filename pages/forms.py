from typing import Any

from django import forms

from arbitration.standing import FIGURES_WITH_DISPUTES

STANDING_DAYS = 30
MAX_STANDING_DAYS = 3650  # ten years: far past any figure shown, well inside a timedelta


class BehindFigureForm(forms.Form):
    """`?behind=<figure>&days=<n>`: the seller's disputes behind one figure of their standing.
    A figure or a number of days that does not hold falls back to the whole list, 30 days."""

    behind = forms.ChoiceField(choices=[(key, key) for key in FIGURES_WITH_DISPUTES])
    days = forms.IntegerField(min_value=1, max_value=MAX_STANDING_DAYS, required=False)

    def figure(self) -> tuple[str, int]:
        """(figure, days), or ("", 30) when no figure was asked for or it does not hold."""
        self.is_valid()
        cleaned: dict[str, Any] = self.cleaned_data
        return cleaned.get("behind", ""), cleaned.get("days") or STANDING_DAYS
