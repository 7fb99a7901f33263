"""Forms of the staff back office. They check input; the services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import money
from .models import Replacement, ReturnRequest

AMOUNT_POSITIVE = _("Enter an amount greater than 0.")
AMOUNT_ABOVE = _("At most %(maximum)s %(currency)s can still be refunded.")
WRONG_CURRENCY = _("This order was paid in %(currency)s.")
FUTURE_DATE = _("The shipping date cannot be in the future.")
ISO_DATE = "%Y-%m-%d"


class AmountField(forms.Field):
    """An amount typed as the staff member's language writes it; a Decimal once cleaned.

    A text input, not type=number: browsers localise number inputs their own way (a Dutch
    Chromium read "2,5" as 25). `canonical` is for hidden fields, which carry "29.00" whatever the
    language, so a language switch between two steps cannot change the amount.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, canonical: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.canonical = canonical
        self.currency = "EUR"

    def prepare_value(self, value):
        if not isinstance(value, Decimal):
            return value
        if self.canonical:
            return money.to_shopify(value, self.currency)
        return money.format_input(value, self.currency)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            if self.canonical:
                return money.parse_canonical(text, currency=self.currency)
            return money.parse_amount(text, currency=self.currency)
        except money.AmountError as error:
            raise forms.ValidationError(error.message, code="invalid") from error


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the shopper"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The shopper sees this on the status page and in the email."),
    )


class ReceiveForm(forms.Form):
    restock = forms.BooleanField(label=_("Put the items back in stock"), required=False)

    def __init__(self, *args, request: ReturnRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(request.lines.all())
        for line in self.lines:
            self.fields[f"received_{line.pk}"] = forms.IntegerField(
                label=_("%(title)s: received (of %(quantity)s)")
                % {"title": line.title, "quantity": line.quantity},
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
            )

    def received(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"received_{line.pk}"] for line in self.lines}


class ReplacementForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Replacement.Carrier.choices)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)
    shipped_on = forms.DateField(
        label=_("Shipped on"),
        initial=timezone.localdate,
        # A date input shows and sends ISO dates whatever the language; Django would otherwise
        # write the initial date as the language does (nl: 26-11-2026), which the browser
        # drops, leaving the field empty in every language but English.
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )

    def clean_shipped_on(self):
        shipped_on = self.cleaned_data["shipped_on"]
        if shipped_on > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return shipped_on


class RefundForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    currency = forms.CharField(label=_("Currency"), max_length=3)
    restock = forms.BooleanField(label=_("Restock the items in Shopify"), required=False)
    notify = forms.BooleanField(
        label=_("Also send Shopify's own refund notification"), required=False
    )

    def __init__(self, *args, maximum: Decimal, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.maximum = maximum
        self.order_currency = currency
        self.fields["amount"].currency = currency
        self.fields["amount"].help_text = _("At most %(maximum)s %(currency)s.") % {
            "maximum": money.format_number(maximum, currency),
            "currency": currency,
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(AMOUNT_POSITIVE)
        if amount > self.maximum:
            raise forms.ValidationError(
                AMOUNT_ABOVE
                % {
                    "maximum": money.format_number(self.maximum, self.order_currency),
                    "currency": self.order_currency,
                }
            )
        return amount

    @classmethod
    def from_confirmation(cls, data, **kwargs):
        """The first step again, bound to what its confirmation sent back, in the form's language."""
        data = data.copy()
        try:
            amount = money.parse_canonical(data.get("amount", ""), currency=kwargs["currency"])
        except money.AmountError:
            pass
        else:
            data["amount"] = money.format_input(amount, kwargs["currency"])
        return cls(data, **kwargs)

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if currency != self.order_currency:
            raise forms.ValidationError(WRONG_CURRENCY % {"currency": self.order_currency})
        return currency


class RefundConfirmForm(RefundForm):
    """The review step: the same fields, hidden, plus the key that makes a double click harmless."""

    amount = AmountField(canonical=True, widget=forms.HiddenInput)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("currency", "restock", "notify"):
            self.fields[name].widget = forms.HiddenInput()
