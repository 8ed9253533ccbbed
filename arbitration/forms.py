from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from disputes.models import Deadline, Reason

from .models import PolicyClause, RulingOutcome
from .selectors import QueueFilters
from .services import Decision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from disputes.models import EvidenceItem

# Ten years: older than any case, and far inside the dates Python can count back to.
MAX_AGE_DAYS = 3650


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's own copy of a declared ChoiceField (the stubs type `fields` as plain Fields)."""
    return cast(forms.ChoiceField, form.fields[name])


def _model_choice_field(form: forms.Form, name: str) -> "forms.ModelChoiceField[Any]":
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class ClockChangeForm(forms.Form):
    """One of the case's running clocks, and what staff do to it. `clocks` are those running:
    any other id (a clock stopped meanwhile, or nonsense) is refused next to the form."""

    ACTIONS = [
        ("extend", pgettext_lazy("a deadline", "Extend")),
        ("pause", pgettext_lazy("a deadline", "Pause")),
        ("resume", pgettext_lazy("a deadline", "Resume")),
    ]
    STOPPED = _("That clock is no longer running: it stopped or changed meanwhile. See it below.")

    deadline = forms.ModelChoiceField(
        queryset=Deadline.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": STOPPED, "invalid_choice": STOPPED},
    )
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    hours = forms.IntegerField(
        min_value=1, max_value=24 * 30, required=False, label=_("Extend by (hours)")
    )
    reason = forms.CharField(
        max_length=500,
        label=_("Reason (shown to buyer and seller)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the carrier confirmed a delay")}),
    )

    def __init__(self, *args: Any, clocks: QuerySet[Deadline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice_field(self, "deadline").queryset = clocks

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "extend" and not cleaned.get("hours"):
            self.add_error(None, gettext("How many hours? Enter the extension in whole hours."))
        return cleaned


def _amount(label: "StrOrPromise") -> forms.DecimalField:
    return forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label=label
    )


class QueueFilterForm(forms.Form):
    """The queue's filters and the cursor of the page after (`after`, not shown: the links to
    the next page carry it). Unless all of them hold, the queue is shown whole, from the top,
    with the errors next to the filters."""

    reason = forms.ChoiceField(required=False, label=_("Reason"))
    min_amount = _amount(_("Amount from"))
    max_amount = _amount(pgettext_lazy("an amount up to", "to"))
    min_age_days = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_AGE_DAYS, label=_("Filed at least (days ago)")
    )
    assignee = forms.ChoiceField(required=False, label=_("Assignee"))
    appeals = forms.BooleanField(required=False, label=_("Appeals only"))
    after = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args: Any, arbiters: Iterable["User"] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "reason").choices = [("", gettext("Any reason")), *Reason.choices]
        _choice_field(self, "assignee").choices = [
            ("", gettext("Anyone or no one")),
            ("unassigned", gettext("Unassigned")),
            ("me", gettext("Me")),
            *[(str(a.pk), a.display_name) for a in arbiters],
        ]

    def query(self) -> tuple[QueueFilters, str]:
        """(filters, cursor) as asked, or the whole queue from the top unless all hold."""
        if not self.is_valid():
            return QueueFilters(), ""
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        cursor = data.pop("after", "")
        return QueueFilters(**data), cursor


CHOOSE_ARBITER = _("Choose an arbiter.")


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        error_messages={"required": CHOOSE_ARBITER, "invalid_choice": CHOOSE_ARBITER},
    )

    def __init__(self, *args: Any, arbiters: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice_field(self, "to").queryset = arbiters


class RulingForm(forms.Form):
    outcome = forms.ChoiceField(widget=forms.RadioSelect, label=_("Decision"))
    amount = forms.DecimalField(
        required=False,
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
        label=_("Refund amount"),
        help_text=_("For a partial refund, or a return with a partial refund."),
    )
    policy_clause = forms.ChoiceField(
        label=_("Policy clause applied"),
        error_messages={"required": _("Choose the policy clause the decision applies.")},
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=6000,
        label=_("Reasons (both parties read this)"),
    )
    cited_evidence = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Evidence that decided it")
    )
    seller_violation = forms.BooleanField(
        required=False, label=_("Record a rule violation against the seller")
    )
    penalty_note = forms.CharField(max_length=300, required=False, label=_("Violation details"))

    def __init__(self, *args: Any, evidence: Iterable["EvidenceItem"] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "outcome").choices = RulingOutcome.choices
        # No clause is chosen for the arbiter unless the case's reason names one (initial).
        _choice_field(self, "policy_clause").choices = [
            ("", gettext("Choose the clause")),
            *PolicyClause.choices,
        ]
        _choice_field(self, "cited_evidence").choices = [
            (str(item.pk), f"{item.get_party_display()}: {item.original_name}") for item in evidence
        ]

    def ruling(self) -> Decision:
        """The decision as the services take it (named apart from the appeal form's field
        `decision`, uphold or replace)."""
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
            self.add_error("amount", gettext("Enter the amount to refund."))
        if cleaned.get("seller_violation") and not cleaned.get("penalty_note", "").strip():
            self.add_error("penalty_note", gettext("Say which rule the seller broke."))
        return cleaned


class AppealDecisionForm(RulingForm):
    decision = forms.ChoiceField(
        choices=[
            ("uphold", _("Uphold the ruling")),
            ("replace", _("Replace it with this decision:")),
        ],
        widget=forms.RadioSelect,
        label=_("Appeal decision (final)"),
    )
    field_order = ["decision"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "replace" and not cleaned.get("outcome"):
            self.add_error("outcome", gettext("Choose the decision that replaces the ruling."))
        return cleaned


class EvidenceRequestForm(forms.Form):
    party = forms.ChoiceField(
        choices=[("buyer", _("The buyer")), ("seller", _("The seller"))],
        label=pgettext_lazy("ask a party for evidence", "Ask"),
    )
    request = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("What do you need?"),
        help_text=_("They answer in the dispute's messages, with photos if needed."),
    )
    hours = forms.IntegerField(
        min_value=1, max_value=24 * 14, initial=48, label=_("Answer within (hours)")
    )
