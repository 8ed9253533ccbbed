from django import forms


class ClockChangeForm(forms.Form):
    ACTIONS = [("extend", "Extend"), ("pause", "Pause"), ("resume", "Resume")]

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    hours = forms.IntegerField(
        min_value=1, max_value=24 * 30, required=False, label="Extend by (hours)"
    )
    reason = forms.CharField(
        max_length=500,
        label="Reason (shown to buyer and seller)",
        widget=forms.TextInput(attrs={"placeholder": "e.g. the carrier confirmed a delay"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "extend" and not cleaned.get("hours"):
            self.add_error(None, "How many hours? Enter the extension in whole hours.")
        return cleaned
