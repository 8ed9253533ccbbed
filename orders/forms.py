import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Carrier, PostagePayer, Store

# Carriers' numbers are 8 to 30 letters and digits; spaces and dashes are typed for readability.
_TRACKING_RE = re.compile(r"^[A-Z0-9]{8,30}$")


def normalise_tracking_number(raw: str) -> str:
    number = re.sub(r"[\s-]", "", raw).upper()
    if not _TRACKING_RE.match(number):
        raise ValidationError(
            _("A tracking number is 8 to 30 letters and digits (spaces and dashes are ignored).")
        )
    return number


class DeliveryForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("8 to 30 letters and digits, as printed on the label."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    delivery_days = forms.IntegerField(
        label=_("Delivery time limit (days)"),
        min_value=1,
        help_text=_("Days from shipping by which the buyer should have the goods."),
    )
    ships_all = forms.BooleanField(
        required=False,
        initial=True,
        label=_("This parcel completes the order (all goods shipped)"),
    )

    def __init__(self, *args: Any, max_delivery_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = cast(forms.IntegerField, self.fields["delivery_days"])
        days.max_value = max_delivery_days
        days.widget.attrs["max"] = max_delivery_days
        days.validators.append(MaxValueValidator(max_delivery_days))

    def clean_tracking_number(self) -> str:
        return normalise_tracking_number(self.cleaned_data["tracking_number"])


class NewOrderForm(forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=Store.objects.order_by("name"), empty_label=None
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(c, c) for c in settings.PARLEY_CURRENCIES]
    )


class OrderLineForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999)
    unit_price = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=10, decimal_places=2, label=_("Unit price")
    )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data for form in self.forms if form.is_valid()):
            raise ValidationError(_("Add at least one item."))


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseLineFormSet, extra=3, max_num=10, validate_max=True
)


class ReturnTermsForm(forms.Form):
    """Where buyers send items back, and who pays the postage: shown to a buyer with the
    return tracking form."""

    return_address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        max_length=500,
        label=_("Return address"),
        help_text=_("Name, street, town, postcode and country, as on a parcel label."),
    )
    return_postage_payer = forms.ChoiceField(
        choices=PostagePayer.choices, widget=forms.RadioSelect, label=_("Return postage")
    )
