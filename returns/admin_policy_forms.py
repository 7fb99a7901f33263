"""The return policy editor's forms: the periods, the scopes and the reasons, checked together.

Every refusal names what is wrong in the staff member's language; nothing is saved unless all of
it is right (the view saves only a valid whole).
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReturnReason
from .policy import LEGAL_GUARANTEE_YEARS, SCOPE_KINDS, Fee, ReasonOption, ReturnPolicy, Scope
from .policy_versions import LANGUAGES
from .shopify.errors import ShopifyError
from .shopify.returns import shop_return_setup

WINDOW_NEGATIVE = _("The return window cannot be negative: enter 0 days or more.")
GUARANTEE_TOO_SHORT = _(
    "The legal guarantee lasts at least %(years)s years (Art. 10 Directive (EU) 2019/771); "
    "a shop may give longer, never shorter."
)
PERCENT_RANGE = _("A percentage fee must be between 0 and 100.")
AMOUNT_NEGATIVE = _("A flat fee cannot be negative.")
FEE_VALUE_MISSING = _("Enter the fee's amount or percentage, or choose “no fee”.")
DEFECT_NO_FEES = _(
    "A defect is a claim under the legal guarantee: the shopper pays no return shipping or "
    "restocking fee for it (Art. 14 (1) (a) Directive (EU) 2019/771: free of charge)."
)
DUPLICATE_CODE = _("The code “%(code)s” is used by more than one reason.")
UNKNOWN_HANDLE = _(
    "Shopify does not know the return reason “%(handle)s”. Choose one of: %(known)s."
)
SHOPIFY_UNREACHABLE = _(
    "Shopify could not be reached to check the return reasons; nothing was saved. "
    "Please try again in a minute."
)
TRACK_EMPTY = _("The shopper must be able to choose at least one reason for “%(track)s”.")
LABEL_MISSING = _("Give the reason its words in English, Dutch and German.")
SCOPE_EMPTY = _("Give the scope its own return window, its own guarantee period, or both.")
COUNTRIES_MISSING = _("Name the countries the market covers, e.g. DE AT CH.")

FEE_KINDS = [("", _("no fee")), ("amount", _("flat amount")), ("percent", _("percent"))]
SCOPE_CHOICES = [
    ("tag", _("product tag")),
    ("product_type", _("product type")),
    ("collection", _("collection (handle)")),
    ("country", _("country shipped to (ISO code)")),
    ("market", _("Shopify market (handle)")),
]
assert [kind for kind, _label in SCOPE_CHOICES] == list(SCOPE_KINDS)


class PolicyForm(forms.Form):
    return_window_days = forms.IntegerField(
        label=_("Return window (days after delivery)"),
        min_value=0,
        error_messages={"min_value": WINDOW_NEGATIVE},
    )
    guarantee_years = forms.IntegerField(
        label=_("Legal guarantee (years after delivery)"),
        min_value=LEGAL_GUARANTEE_YEARS,
        error_messages={"min_value": GUARANTEE_TOO_SHORT % {"years": LEGAL_GUARANTEE_YEARS}},
    )
    final_sale_tags = forms.CharField(
        label=_("Final-sale tags"),
        required=False,
        help_text=_("Product tags, separated by commas: claimable when defective, not returnable."),
    )

    def clean_final_sale_tags(self):
        raw = self.cleaned_data["final_sale_tags"]
        return frozenset(tag.strip().lower() for tag in raw.split(",") if tag.strip())


class ScopeForm(forms.Form):
    # A blank first choice, so an extra row left empty is no scope rather than an unfinished one.
    kind = forms.ChoiceField(label=_("applies to"), choices=[("", "---------"), *SCOPE_CHOICES])
    value = forms.CharField(label=_("which"), max_length=255)
    return_window_days = forms.IntegerField(
        label=_("return window (days)"),
        required=False,
        min_value=0,
        error_messages={"min_value": WINDOW_NEGATIVE},
    )
    guarantee_years = forms.IntegerField(
        label=_("guarantee (years)"),
        required=False,
        min_value=LEGAL_GUARANTEE_YEARS,
        error_messages={"min_value": GUARANTEE_TOO_SHORT % {"years": LEGAL_GUARANTEE_YEARS}},
    )
    countries = forms.CharField(
        label=_("countries (markets only)"), required=False, max_length=1000
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("return_window_days") is None and cleaned.get("guarantee_years") is None:
            raise forms.ValidationError(SCOPE_EMPTY)
        countries = tuple(c.upper() for c in cleaned.get("countries", "").replace(",", " ").split())
        if cleaned["kind"] == "market" and not countries:
            self.add_error("countries", COUNTRIES_MISSING)
        cleaned["countries"] = countries if cleaned["kind"] == "market" else ()
        return cleaned

    def scope(self) -> Scope:
        c = self.cleaned_data
        return Scope(
            kind=c["kind"],
            value=c["value"].strip(),
            return_window_days=c["return_window_days"],
            guarantee_years=c["guarantee_years"],
            countries=c["countries"],
        )


class ReasonForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=64)
    track = forms.ChoiceField(label=_("track"), choices=[("", "---------"), *ReturnReason.choices])
    label_en = forms.CharField(label=_("words in English"), max_length=120)
    label_nl = forms.CharField(label=_("words in Dutch"), max_length=120)
    label_de = forms.CharField(label=_("words in German"), max_length=120)
    shopify_handle = forms.SlugField(label=_("Shopify return reason (handle)"), max_length=100)
    return_shipping_fee_kind = forms.ChoiceField(
        label=_("return shipping fee"), choices=FEE_KINDS, required=False
    )
    return_shipping_fee = forms.DecimalField(
        label=_("return shipping fee"), required=False, max_digits=12, decimal_places=2
    )
    restocking_fee_kind = forms.ChoiceField(
        label=_("restocking fee"), choices=FEE_KINDS, required=False
    )
    restocking_fee = forms.DecimalField(
        label=_("restocking fee"), required=False, max_digits=12, decimal_places=2
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("return_shipping_fee", "restocking_fee"):
            kind, value = cleaned.get(f"{name}_kind"), cleaned.get(name)
            if not kind:
                cleaned[name] = None
                continue
            if value is None:
                if name not in self.errors:
                    self.add_error(name, FEE_VALUE_MISSING)
                continue
            if kind == "percent" and not Decimal(0) <= value <= Decimal(100):
                self.add_error(name, PERCENT_RANGE)
            elif kind == "amount" and value < 0:
                self.add_error(name, AMOUNT_NEGATIVE)
            elif cleaned.get("track") == ReturnReason.DEFECT:
                self.add_error(name, DEFECT_NO_FEES)
            else:
                cleaned[name] = Fee(**{kind: value})
        return cleaned

    def reason(self) -> ReasonOption:
        c = self.cleaned_data
        return ReasonOption(
            code=c["code"],
            track=c["track"],
            labels=tuple((language, c[f"label_{language}"].strip()) for language in LANGUAGES),
            shopify_handle=c["shopify_handle"],
            return_shipping_fee=c["return_shipping_fee"],
            restocking_fee=c["restocking_fee"],
        )


def _kept(formset):
    return [
        form
        for form in formset.forms
        if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form))
    ]


class BaseReasonFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = _kept(self)
        codes = [form.cleaned_data["code"] for form in kept]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            raise forms.ValidationError(DUPLICATE_CODE % {"code": code})
        for track, label in ReturnReason.choices:
            if not any(form.cleaned_data["track"] == track for form in kept):
                raise forms.ValidationError(TRACK_EMPTY % {"track": label})
        try:
            known = shop_return_setup().reasons
        except ShopifyError:
            raise forms.ValidationError(SHOPIFY_UNREACHABLE) from None
        for form in kept:
            handle = form.cleaned_data["shopify_handle"]
            if handle not in known:
                form.add_error(
                    "shopify_handle",
                    UNKNOWN_HANDLE % {"handle": handle, "known": ", ".join(sorted(known))},
                )

    def reasons(self) -> tuple[ReasonOption, ...]:
        return tuple(form.reason() for form in _kept(self))


class BaseScopeFormSet(forms.BaseFormSet):
    def scopes(self) -> tuple[Scope, ...]:
        return tuple(form.scope() for form in _kept(self))


ScopeFormSet = forms.formset_factory(ScopeForm, formset=BaseScopeFormSet, extra=2, can_delete=True)
ReasonFormSet = forms.formset_factory(
    ReasonForm, formset=BaseReasonFormSet, extra=2, can_delete=True
)


def policy_initial(policy: ReturnPolicy) -> dict:
    """The editor's forms filled with `policy`, the one in force."""

    def fee(value: Fee | None):
        if value is None:
            return "", None
        return ("percent", value.percent) if value.percent is not None else ("amount", value.amount)

    reasons = []
    for option in policy.reasons:
        labels = dict(option.labels)
        shipping, restocking = fee(option.return_shipping_fee), fee(option.restocking_fee)
        reasons.append(
            {
                "code": option.code,
                "track": option.track,
                **{f"label_{language}": labels.get(language, "") for language in LANGUAGES},
                "shopify_handle": option.shopify_handle,
                "return_shipping_fee_kind": shipping[0],
                "return_shipping_fee": shipping[1],
                "restocking_fee_kind": restocking[0],
                "restocking_fee": restocking[1],
            }
        )
    scopes = [
        {
            "kind": scope.kind,
            "value": scope.value,
            "return_window_days": scope.return_window_days,
            "guarantee_years": scope.guarantee_years,
            "countries": " ".join(scope.countries),
        }
        for scope in policy.scopes
    ]
    main = {
        "return_window_days": policy.return_window_days,
        "guarantee_years": policy.guarantee_years,
        "final_sale_tags": ", ".join(sorted(policy.final_sale_tags)),
    }
    return {"main": main, "scopes": scopes, "reasons": reasons}
