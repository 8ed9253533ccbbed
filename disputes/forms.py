from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from core.moments import money
from core.money import Money
from orders.forms import normalise_tracking_number
from orders.models import Carrier

from .evidence import (
    EvidenceRejected,
    ProcessedPhoto,
    check_evidence_room,
    check_photo_batch,
    limits_help,
    process_photo,
)
from .item_fields import ClaimedItemsFields
from .models import Dispute, Reason, Remedy
from .services import Proposal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each goes through the evidence pipeline while cleaning, so
    a bad file is named with its reason next to the field. With `dispute` set (EvidenceForm
    does), the case's photo limit is checked first, before anything is decoded."""

    dispute: Dispute | None = None

    def __init__(self, *args: Any, required_when: "StrOrPromise" = "", **kwargs: Any) -> None:
        self.required_when = required_when
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic"}),
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", limits_help())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[ProcessedPhoto]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        limits = settings.PARLEY_EVIDENCE
        try:
            check_photo_batch(uploads, max_count=limits["max_per_submission"])
            if self.dispute is not None:
                check_evidence_room(self.dispute, len(uploads))
        except EvidenceRejected as exc:
            raise ValidationError(exc.message) from exc
        processed: list[ProcessedPhoto] = []
        errors: list[str] = []
        # One at a time: each photo's decoded pixels are freed before the next is read; only
        # the re-encoded bytes (bounded by max_dimension) are kept.
        for upload in uploads:
            try:
                processed.append(
                    process_photo(
                        upload,
                        max_bytes=limits["max_bytes"],
                        max_pixels=limits["max_pixels"],
                        max_dimension=limits["max_dimension"],
                        quality=limits["jpeg_quality"],
                    )
                )
            except EvidenceRejected as exc:
                errors.append(exc.message)
        if errors:
            raise ValidationError(errors)
        return processed


PHOTOS_AGAIN = gettext_lazy(
    "Browsers do not keep chosen files after an error: choose your photos again before you send."
)


class PhotosAgainNote(forms.Form):
    """After any error, a form that was sent photos says next to its photo field that they must
    be chosen again (a browser never re-fills a file input)."""

    def full_clean(self) -> None:
        super().full_clean()
        if not (self.is_bound and self.errors):
            return
        field = self.fields["photos"]
        sent = field.widget.value_from_datadict(self.data, self.files, self.add_prefix("photos"))
        if sent:
            field.note = PHOTOS_AGAIN  # type: ignore[attr-defined]


class EvidenceForm(PhotosAgainNote):
    """A form whose photos join an existing case: `Form(data, files, dispute=dispute)` refuses
    photos past the case's limit next to the field, the rest of the form as typed."""

    def __init__(self, *args: Any, dispute: Dispute | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        photos = self.fields["photos"]
        assert isinstance(photos, PhotosField)
        photos.dispute = dispute


AMOUNT_ERRORS = {
    "min_value": gettext_lazy("Enter an amount above zero, like 12.50."),
    "invalid": gettext_lazy("Enter an amount in numbers, like 12.50."),
}


def _amount_field(*, needed_for: "StrOrPromise", **kwargs: Any) -> forms.DecimalField:
    """An amount some choices need: its label says which ("needed for …"), not "optional"."""
    field = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
        error_messages=AMOUNT_ERRORS,
        **kwargs,
    )
    field.required_when = needed_for  # type: ignore[attr-defined]
    return field


def _choose(
    choices: Sequence[tuple[str, "StrOrPromise"]], prompt: "StrOrPromise"
) -> list[tuple[str, "StrOrPromise"]]:
    """No answer chosen for the person: a blank first choice, refused if left."""
    return [("", prompt), *choices]


CHOOSE = pgettext_lazy("the blank first choice of a list", "Choose…")


class ProposalFields(forms.Form):
    """What the buyer asks for. `refundable` (what was paid and not yet refunded), when given,
    bounds the amount next to its field."""

    remedy = forms.ChoiceField(
        choices=_choose(Remedy.choices, CHOOSE),
        label=gettext_lazy("What would put it right?"),
        error_messages={"required": gettext_lazy("Choose what would put it right.")},
    )
    amount = _amount_field(
        needed_for=gettext_lazy("needed for a partial refund"),
        label=gettext_lazy("Refund amount"),
        help_text=gettext_lazy(
            "For a partial refund (or a return with a partial refund). A full refund is what "
            "the items you claim for are worth, up to what was paid and not yet refunded."
        ),
    )

    def __init__(self, *args: Any, refundable: Money | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refundable = refundable

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        amount = cleaned.get("amount")
        if "amount" in self.errors:
            return cleaned  # one clear error at the field, not a second about its absence
        if cleaned.get("remedy") == Remedy.PARTIAL_REFUND and amount is None:
            self.add_error("amount", _("Enter the amount you are asking for."))
        elif self.refundable is not None and amount is not None and amount > self.refundable.amount:
            most = money(self.refundable.amount, self.refundable.currency)
            words = _(
                "The amount cannot be more than %(amount)s, what was paid and not yet refunded."
            )
            self.add_error("amount", words % {"amount": most})
        return cleaned

    def proposal(self, note: str = "") -> Proposal:
        amount = self.cleaned_data.get("amount")
        if self.cleaned_data["remedy"] in (Remedy.FULL_REFUND, Remedy.REPLACEMENT):
            amount = None
        return Proposal(self.cleaned_data["remedy"], amount, note)


class OpenDisputeForm(ClaimedItemsFields, PhotosAgainNote, ProposalFields):
    reason = forms.ChoiceField(
        choices=_choose(Reason.choices, CHOOSE),
        label=gettext_lazy("What went wrong?"),
        error_messages={"required": gettext_lazy("Choose what went wrong.")},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        label=gettext_lazy("Describe the problem"),
        help_text=gettext_lazy(
            "What you expected, what you received, and anything you already tried."
        ),
    )
    photos = PhotosField(
        label=gettext_lazy("Photos of the item and packaging"),
        required_when=gettext_lazy("needed for “damaged” and “not as described”"),
    )

    field_order = ["reason", "description", "remedy", "amount", "photos"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        reason = cleaned.get("reason")
        if (
            reason in Reason.needing_photos()
            and not cleaned.get("photos")
            and "photos" not in self.errors
        ):
            words = _("A “%(reason)s” claim needs at least one photo of the item.")
            self.add_error("photos", words % {"reason": str(Reason(reason).label).lower()})
        return cleaned


class ModifyClaimForm(ClaimedItemsFields, EvidenceForm, ProposalFields):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=gettext_lazy("What changed?"),
    )
    photos = PhotosField(label=gettext_lazy("More photos"))

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        # The items start as the claim has them (a claim from before items: the whole order).
        claimed = {line.pk: quantity for line, quantity in dispute.claimed_items}
        super().__init__(*args, dispute=dispute, order=dispute.order, claimed=claimed, **kwargs)


COUNTER_CHOICES: list[tuple[str, "StrOrPromise"]] = [
    ("", gettext_lazy("No counter-offer")),
    *[(value, label) for value, label in Remedy.choices if value != Remedy.FULL_REFUND],
]


class RejectForm(EvidenceForm):
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label=gettext_lazy("Why do you reject the claim?"),
        help_text=gettext_lazy("The buyer and, if it comes to that, the arbiter read this."),
    )
    counter_remedy = forms.ChoiceField(
        choices=COUNTER_CHOICES, required=False, label=gettext_lazy("Your counter-offer")
    )
    counter_amount = _amount_field(
        needed_for=gettext_lazy("needed for a partial refund"),
        label=gettext_lazy("Counter-offer amount"),
    )
    photos = PhotosField(label=gettext_lazy("Evidence photos"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        remedy = cleaned.get("counter_remedy")
        needs_amount = remedy == Remedy.PARTIAL_REFUND
        missing = cleaned.get("counter_amount") is None and "counter_amount" not in self.errors
        if needs_amount and missing:
            self.add_error("counter_amount", _("Enter the amount you offer."))
        return cleaned

    def counter(self) -> Proposal | None:
        remedy = self.cleaned_data.get("counter_remedy")
        if not remedy:
            return None
        amount = None if remedy == Remedy.REPLACEMENT else self.cleaned_data.get("counter_amount")
        return Proposal(remedy, amount)


class MessageForm(EvidenceForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        label=gettext_lazy("Message"),
    )
    photos = PhotosField(
        label=gettext_lazy("Photos"), required_when=gettext_lazy("or write a message")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].required_when = _("or add a photo")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("body", "").strip() and not cleaned.get("photos") and not self.errors:
            raise ValidationError(_("Write a message or add a photo."))
        return cleaned


class ReturnShipmentForm(forms.Form):
    carrier = forms.ChoiceField(choices=Carrier.choices, label=gettext_lazy("Carrier"))
    tracking_number = forms.CharField(max_length=40, label=gettext_lazy("Tracking number"))

    def clean_tracking_number(self) -> str:
        return normalise_tracking_number(self.cleaned_data["tracking_number"])


class AppealForm(EvidenceForm):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        label=gettext_lazy("Why should the ruling change?"),
        help_text=gettext_lazy(
            "Another arbiter reads this with all the evidence; their decision is final."
        ),
    )
    photos = PhotosField(label=gettext_lazy("New evidence"))


# "5 stars", in the reader's language when the form is shown (the choices are built at import).
_stars = lazy(lambda n: ngettext("%(count)d star", "%(count)d stars", n) % {"count": n}, str)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, _stars(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        label=gettext_lazy("How was the seller?"),
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label=gettext_lazy("Comment"),
    )


# The largest primary key a row can have (a PostgreSQL bigint).
MAX_ID = 2**63 - 1


class AcceptClaimForm(forms.Form):
    """The seller accepts the claim they were shown: its offer id, so that a claim the buyer
    changed meanwhile is never agreed to unseen (the service compares it)."""

    offer = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class ReplacementShipmentForm(forms.Form):
    """The seller's delivery form for a replacement, as for an order's parcel."""

    carrier = forms.ChoiceField(choices=Carrier.choices, label=gettext_lazy("Carrier"))
    tracking_number = forms.CharField(
        max_length=40,
        label=gettext_lazy("Tracking number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    delivery_days = forms.IntegerField(
        label=gettext_lazy("Delivery time limit (days)"),
        min_value=1,
        help_text=gettext_lazy(
            "Days from shipping by which the buyer should have the replacement; receipt is "
            "confirmed for the buyer then."
        ),
    )

    def __init__(self, *args: Any, max_delivery_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["delivery_days"]
        assert isinstance(days, forms.IntegerField)
        days.max_value = max_delivery_days
        days.widget.attrs["max"] = max_delivery_days
        days.validators.append(MaxValueValidator(max_delivery_days))

    def clean_tracking_number(self) -> str:
        return normalise_tracking_number(self.cleaned_data["tracking_number"])


class ReturnDeliveryForm(forms.Form):
    """Staff enter when the returned parcel was delivered (from the carrier's tracking)."""

    # Read in the zone of whoever enters it (the active one), like every moment they see.
    delivered_at = forms.DateTimeField(
        label=gettext_lazy("Delivered at (your local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy(
            "Leave empty for now. Not before the return shipped, not in the future."
        ),
    )
