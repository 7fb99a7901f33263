"""Forms of the staff back office. They check input; the services decide what is allowed."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import money
from .models import ItemCondition, Replacement, ReturnRequest

AMOUNT_POSITIVE = _("Enter an amount greater than 0.")
AMOUNT_ABOVE = _("At most %(maximum)s %(currency)s can still be refunded.")
WRONG_CURRENCY = _("This order was paid in %(currency)s.")
FUTURE_DATE = _("The shipping date cannot be in the future.")
ABOVE_ARRIVED = _(
    "Not every item arrived: at most %(maximum)s %(currency)s can be refunded for what arrived. "
    "To refund more, tick “Also refund items that did not arrive” and give the reason."
)
OVERRIDE_REASON_REQUIRED = _("Say why items that did not arrive are refunded.")
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
    """Per item: how many units arrived, their condition, and whether they go back in stock.

    Units not counted as arrived are missing. Restocking is ticked for every item to begin with;
    choosing "damaged" unticks it (static/portal/receive.js), and the service restocks damaged
    units only when staff tick it again; without JavaScript the box says what happens.
    """

    def __init__(self, *args, request: ReturnRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(request.lines.all())
        for line in self.lines:
            self.fields[f"received_{line.pk}"] = forms.IntegerField(
                label=_("%(title)s: arrived (of %(quantity)s)")
                % {"title": line.title, "quantity": line.quantity},
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
                widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
            )
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Condition"),
                choices=ItemCondition.choices,
                initial=ItemCondition.AS_NEW,
                required=False,  # nothing chosen: as new, as the form shows it to begin with
                widget=forms.RadioSelect(attrs={"class": "receive-condition"}),
            )
            self.fields[f"restock_{line.pk}"] = forms.BooleanField(
                label=_("Put back in stock"), required=False, initial=True
            )

    def items(self):
        """Each line with its fields, for the template: (line, (arrived, condition, restock))."""
        return [
            (
                line,
                tuple(self[f"{name}_{line.pk}"] for name in ("received", "condition", "restock")),
            )
            for line in self.lines
        ]

    def received(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"received_{line.pk}"] for line in self.lines}

    def conditions(self) -> dict[int, str]:
        return {
            line.pk: self.cleaned_data[f"condition_{line.pk}"] or ItemCondition.AS_NEW
            for line in self.lines
        }

    def restocks(self) -> dict[int, bool]:
        return {line.pk: self.cleaned_data[f"restock_{line.pk}"] for line in self.lines}


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
    override = forms.BooleanField(label=_("Also refund items that did not arrive"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for refunding items that did not arrive"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the refund and on the Shopify order's note."),
    )

    def __init__(
        self,
        *args,
        maximum: Decimal,
        currency: str,
        maximum_override: Decimal | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.maximum = maximum
        # Above what arrived, up to this, only with a reason; None or no more: no override.
        self.maximum_override = maximum_override if maximum_override is not None else maximum
        self.order_currency = currency
        self.fields["amount"].currency = currency
        self.fields["amount"].help_text = _("At most %(maximum)s %(currency)s.") % {
            "maximum": money.format_number(maximum, currency),
            "currency": currency,
        }
        if not self.overridable:
            del self.fields["override"], self.fields["override_reason"]

    @property
    def overridable(self) -> bool:
        return self.maximum_override > self.maximum

    def _words(self, maximum):
        return {
            "maximum": money.format_number(maximum, self.order_currency),
            "currency": self.order_currency,
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(AMOUNT_POSITIVE)
        if amount > self.maximum_override:
            raise forms.ValidationError(AMOUNT_ABOVE % self._words(self.maximum_override))
        return amount

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount")
        if not self.overridable:
            cleaned["override_reason"] = ""
            return cleaned
        reason = (cleaned.get("override_reason") or "").strip()
        if amount is not None and amount > self.maximum:
            if not cleaned.get("override"):
                self.add_error("amount", ABOVE_ARRIVED % self._words(self.maximum))
            elif not reason:
                self.add_error("override_reason", OVERRIDE_REASON_REQUIRED)
        # A reason counts only where it is needed: the refund goes past what arrived.
        if amount is None or amount <= self.maximum or not cleaned.get("override"):
            reason = ""
        cleaned["override_reason"] = reason
        return cleaned

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
        for name in ("currency", "restock", "notify", "override", "override_reason"):
            if name in self.fields:
                self.fields[name].widget = forms.HiddenInput()
