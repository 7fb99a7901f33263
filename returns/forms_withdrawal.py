"""The withdrawal function's forms: who and which contract, then what is withdrawn from."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import HTML_TAG, NO_HTML, LookupForm
from .services.withdrawals import NO_ITEMS, TOO_MANY, WithdrawableItem

WHOLE, SOME = "whole", "some"


class WithdrawalLookupForm(LookupForm):
    """The consumer's name, and the order number and email address that identify the contract."""

    consumer_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["consumer_name", "order_number", "email"]


class WithdrawalChoiceForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("What do you withdraw from?"),
        choices=[(WHOLE, _("The whole order")), (SOME, _("Only some items"))],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        help_text=_("You do not have to give a reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, items: list[WithdrawableItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [item for item in items if item.quantity]
        for item in self.items:
            self.fields[self.field_name(item)] = forms.IntegerField(
                label=item.entry.item.title,
                required=False,
                min_value=0,
                max_value=item.quantity,
                initial=0,
            )

    @staticmethod
    def field_name(item: WithdrawableItem) -> str:
        return f"quantity_{item.entry.item.legacy_id}"

    def item_rows(self):
        return [(item, self[self.field_name(item)]) for item in self.items]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if HTML_TAG.search(reason):
            raise forms.ValidationError(NO_HTML)
        return reason

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == SOME:
            chosen = 0
            for item in self.items:
                quantity = cleaned.get(self.field_name(item)) or 0
                if quantity > item.quantity:
                    self.add_error(
                        self.field_name(item),
                        TOO_MANY % {"limit": item.quantity, "title": item.entry.item.title},
                    )
                chosen += quantity
            if not chosen and not self.errors:
                raise forms.ValidationError(NO_ITEMS)
        return cleaned

    def quantities(self) -> dict[str, int] | None:
        """None for the whole order, else the units chosen of each item."""
        if self.cleaned_data["scope"] == WHOLE:
            return None
        return {
            item.entry.item.id: self.cleaned_data.get(self.field_name(item)) or 0
            for item in self.items
        }
