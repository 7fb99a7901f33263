"""Forms of the staff back office. They check input; the services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Replacement, ReturnRequest

AMOUNT_DECIMALS = _("Enter an amount with at most two decimals, e.g. 29.00.")
AMOUNT_POSITIVE = _("Enter an amount greater than 0.")
AMOUNT_ABOVE = _("At most %(maximum)s %(currency)s can still be refunded.")
WRONG_CURRENCY = _("This order was paid in %(currency)s.")
FUTURE_DATE = _("The shipping date cannot be in the future.")


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
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_shipped_on(self):
        shipped_on = self.cleaned_data["shipped_on"]
        if shipped_on > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return shipped_on


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=12)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    restock = forms.BooleanField(label=_("Restock the items in Shopify"), required=False)
    notify = forms.BooleanField(
        label=_("Also send Shopify's own refund notification"), required=False
    )

    def __init__(self, *args, maximum: Decimal, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.maximum = maximum
        self.order_currency = currency
        self.fields["amount"].help_text = _("At most %(maximum)s %(currency)s.") % {
            "maximum": maximum,
            "currency": currency,
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(AMOUNT_DECIMALS)
        if amount <= 0:
            raise forms.ValidationError(AMOUNT_POSITIVE)
        if amount > self.maximum:
            raise forms.ValidationError(
                AMOUNT_ABOVE % {"maximum": self.maximum, "currency": self.order_currency}
            )
        return amount

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if currency != self.order_currency:
            raise forms.ValidationError(WRONG_CURRENCY % {"currency": self.order_currency})
        return currency


class RefundConfirmForm(RefundForm):
    """The review step: the same fields, hidden, plus the key that makes a double click harmless."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "currency", "restock", "notify"):
            self.fields[name].widget = forms.HiddenInput()
