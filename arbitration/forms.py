from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms

from disputes.models import Reason

from .models import PolicyClause, RulingOutcome
from .services import Decision

if TYPE_CHECKING:
    from accounts.models import User
    from disputes.models import EvidenceItem


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's own copy of a declared ChoiceField (the stubs type `fields` as plain Fields)."""
    return cast(forms.ChoiceField, form.fields[name])


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "extend" and not cleaned.get("hours"):
            self.add_error(None, "How many hours? Enter the extension in whole hours.")
        return cleaned


class QueueFilterForm(forms.Form):
    reason = forms.ChoiceField(required=False)
    min_amount = forms.DecimalField(required=False, min_value=0, label="Amount from")
    max_amount = forms.DecimalField(required=False, min_value=0, label="to")
    min_age_days = forms.IntegerField(
        required=False, min_value=0, label="Filed at least (days ago)"
    )
    assignee = forms.ChoiceField(required=False, label="Assignee")
    appeals = forms.BooleanField(required=False, label="Appeals only")

    def __init__(self, *args: Any, arbiters: Iterable["User"] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "reason").choices = [("", "Any reason"), *Reason.choices]
        _choice_field(self, "assignee").choices = [
            ("", "Anyone or no one"),
            ("unassigned", "Unassigned"),
            ("me", "Me"),
            *[(str(a.pk), a.display_name) for a in arbiters],
        ]


class RulingForm(forms.Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")
    amount = forms.DecimalField(
        required=False,
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
        label="Refund amount",
        help_text="For a partial refund, or a return with a partial refund.",
    )
    policy_clause = forms.ChoiceField(label="Policy clause applied")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=6000,
        label="Reasons (both parties read this)",
    )
    cited_evidence = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Evidence that decided it"
    )
    seller_violation = forms.BooleanField(
        required=False, label="Record a rule violation against the seller"
    )
    penalty_note = forms.CharField(max_length=300, required=False, label="Violation details")

    def __init__(self, *args: Any, evidence: Iterable["EvidenceItem"] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "outcome").choices = RulingOutcome.choices
        _choice_field(self, "policy_clause").choices = PolicyClause.choices
        _choice_field(self, "cited_evidence").choices = [
            (str(item.pk), f"{item.get_party_display()}: {item.original_name}") for item in evidence
        ]

    def decision(self) -> Decision:
        data = self.cleaned_data
        return Decision(
            outcome=data["outcome"],
            rationale=data["rationale"],
            policy_clause=data["policy_clause"],
            amount=data["amount"],
            cited_evidence=tuple(int(pk) for pk in data["cited_evidence"]),
            seller_violation=data["seller_violation"],
            penalty_note=data["penalty_note"],
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("outcome") == RulingOutcome.PARTIAL_REFUND and not cleaned.get("amount"):
            self.add_error("amount", "Enter the amount to refund.")
        if cleaned.get("seller_violation") and not cleaned.get("penalty_note", "").strip():
            self.add_error("penalty_note", "Say which rule the seller broke.")
        return cleaned


class AppealDecisionForm(RulingForm):
    # A form field, so the form's metaclass moves it into base_fields: RulingForm.decision()
    # stays callable on this form, which mypy cannot see.
    decision = forms.ChoiceField(  # type: ignore[assignment]
        choices=[("uphold", "Uphold the ruling"), ("replace", "Replace it with this decision:")],
        widget=forms.RadioSelect,
        label="Appeal decision (final)",
    )
    field_order = ["decision"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "replace" and not cleaned.get("outcome"):
            self.add_error("outcome", "Choose the decision that replaces the ruling.")
        return cleaned


class EvidenceRequestForm(forms.Form):
    party = forms.ChoiceField(
        choices=[("buyer", "The buyer"), ("seller", "The seller")], label="Ask"
    )
    request = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What do you need?",
        help_text="They answer in the dispute's messages, with photos if needed.",
    )
    hours = forms.IntegerField(
        min_value=1, max_value=24 * 14, initial=48, label="Answer within (hours)"
    )
