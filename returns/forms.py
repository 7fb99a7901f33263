import re

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .forms_photos import PhotosField, photos_checked
from .models import ClaimRemedy, ReturnReason
from .policy import ItemEligibility, ReturnPolicy
from .services.photos import PHOTO_REQUIRED
from .services.requests import COMMENT_REQUIRED, NO_ITEMS, REMEDY_REQUIRED
from .shopify.orders import normalise_order_name
from .steps import PHOTOS_CLAIMS_ONLY

INVALID_ORDER_NUMBER = _(
    "Enter the order number as it appears in your order confirmation, e.g. 1001."
)
UNKNOWN_ITEM = _("One of the chosen items is not part of this order. Please reload the page.")
NO_HTML = _("Please write your comment as plain text, without HTML.")
TOO_MANY = _("At most %(limit)s can be returned for this reason.")
TRACK_WORDS = {
    ReturnReason.NOT_SATISFIED: _(
        "I am not satisfied and withdraw from the purchase "
        "(withdrawal: no reason needed, you get your money back)"
    ),
    ReturnReason.DEFECT: _(
        "It is defective (claim under the legal guarantee: repair or replacement)"
    ),
}
NOT_FOR_REASON = _("This item cannot be returned for the reason you chose: %(why)s")

PHOTOS_HELP = _(
    "For a defect: up to %(count)s photos of it, taken with your camera or chosen from your "
    "photos (JPEG, PNG, WebP or HEIC, at most %(megabytes)s MB each)."
)

HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


class LookupForm(forms.Form):
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=32,
        help_text=_("You find it in your order confirmation email, e.g. #1001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address you used for the order."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_order_number(self):
        name = normalise_order_name(self.cleaned_data["order_number"])
        if name is None:
            raise forms.ValidationError(INVALID_ORDER_NUMBER)
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class ReturnForm(forms.Form):
    """One quantity per line item (quantity_<Shopify line item id>), a reason and a comment."""

    # The policy's reasons, grouped under their track (see _reason_choices).
    reason = forms.ChoiceField(label=_("What would you like to do?"), widget=forms.RadioSelect)
    remedy = forms.ChoiceField(
        label=_("For a defect: what should we do?"),
        choices=[
            (ClaimRemedy.REPLACEMENT, _("Send me a replacement")),
            (ClaimRemedy.REPAIR, _("Repair the item")),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The choice is yours. If neither is possible, we will offer you your money back."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        help_text=_(
            "For a defect: what is wrong with the item? For a withdrawal no reason is needed."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(label=_("Photos of the defect"))
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        items: list[ItemEligibility],
        policy: ReturnPolicy | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.items = items
        self.policy = policy or ReturnPolicy()
        self.fields["reason"].choices = self._reason_choices()
        self.fields["photos"].help_text = PHOTOS_HELP % {
            "count": settings.CLAIM_PHOTOS_MAX,
            "megabytes": settings.CLAIM_PHOTO_MAX_MB,
        }
        if settings.CLAIM_PHOTOS_REQUIRED:
            self.fields["photos"].label = _("Photos of the defect (at least one)")
        # Photos chosen were not kept if the form comes back: the page asks for them again.
        self.photos_sent = bool(self.files and self.files.getlist(self.add_prefix("photos")))
        for entry in items:
            self.fields[self.field_name(entry)] = forms.IntegerField(
                label=entry.item.title,
                required=False,
                min_value=0,
                max_value=entry.available,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def _reason_choices(self):
        """A track with one reason is one choice in the track's own words; a track with several
        is a group of them under those words, each in the shopper's language."""
        language = (translation.get_language() or "en").split("-")[0]
        choices = []
        for track, words in TRACK_WORDS.items():
            options = self.policy.reasons_on(track)
            if len(options) == 1:
                choices.append((options[0].code, words))
            elif options:
                choices.append((words, [(o.code, o.label(language)) for o in options]))
        return choices

    def defect_codes(self) -> str:
        """The codes of the defect track, for the photo input that follows the choice."""
        return " ".join(o.code for o in self.policy.reasons_on(ReturnReason.DEFECT))

    def clean_reason(self):
        code = self.cleaned_data["reason"]
        self.cleaned_data["reason_code"] = code
        return self.policy.reason(code).track

    @staticmethod
    def field_name(entry: ItemEligibility) -> str:
        return f"quantity_{entry.item.legacy_id}"

    def item_rows(self):
        return [(entry, self[self.field_name(entry)]) for entry in self.items]

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if HTML_TAG.search(comment):
            raise forms.ValidationError(NO_HTML)
        return comment

    def clean(self):
        cleaned = super().clean()
        known = {self.field_name(entry) for entry in self.items}
        if any(key.startswith("quantity_") and key not in known for key in self.data):
            raise forms.ValidationError(UNKNOWN_ITEM)
        reason = cleaned.get("reason")
        if reason == ReturnReason.DEFECT and "comment" in cleaned and not cleaned["comment"]:
            self.add_error("comment", COMMENT_REQUIRED)
        if reason == ReturnReason.DEFECT and not cleaned.get("remedy"):
            self.add_error("remedy", REMEDY_REQUIRED)
        self._clean_photos(reason)
        if reason:
            for entry in self.items:
                name = self.field_name(entry)
                quantity = cleaned.get(name) or 0
                if quantity and entry.limit(reason) == 0:
                    self.add_error(name, NOT_FOR_REASON % {"why": entry.blocker(reason)})
                elif quantity > entry.limit(reason):
                    self.add_error(name, TOO_MANY % {"limit": entry.limit(reason)})
        if not self.errors and not any(cleaned.get(name) for name in known):
            raise forms.ValidationError(NO_ITEMS)
        return cleaned

    def _clean_photos(self, reason):
        """Photos go with a claim only; there each file is checked by what it is."""
        files = self.cleaned_data.get("photos") or []
        if files and reason and reason != ReturnReason.DEFECT:
            self.add_error("photos", PHOTOS_CLAIMS_ONLY)
            return
        checked, refused = photos_checked(files)
        for message in refused:
            self.add_error("photos", message)
        if refused:
            return
        if reason == ReturnReason.DEFECT and not checked and settings.CLAIM_PHOTOS_REQUIRED:
            if "photos" not in self.errors:
                self.add_error("photos", PHOTO_REQUIRED)
            return
        self.cleaned_data["photos"] = checked

    def checked_photos(self):
        """The claim's photos, checked and re-encoded (returns/photos.py)."""
        return self.cleaned_data.get("photos") or []

    def quantities(self) -> dict[str, int]:
        return {
            entry.item.id: self.cleaned_data.get(self.field_name(entry)) or 0
            for entry in self.items
        }
