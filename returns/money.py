"""Money in one place: amounts typed by staff, sent by Shopify, stored, compared and shown.

An amount is a Decimal next to its currency code, never a float. How many decimals a currency has
is CLDR's answer, through Babel (EUR 2, JPY 0, KWD 3): the same data Babel formats with, so what
the portal shows, accepts and sends agree. Shopify writes amounts as decimal strings ("29.00",
sometimes "29.0"); they are read exactly and compared as Decimals.

What a person types is read in their language only (nl and de: "1.234,50"; en: "1,234.50") and
is never guessed at: anything that could mean two amounts, or that is not plainly an amount in
that language, is refused with a message saying how to write it.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
)
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")
# What the database stores (see models.MONEY): the most decimals any Shopify currency has.
STORED_DECIMALS = 3
MAX_WHOLE_DIGITS = 12

AMOUNT_EMPTY = _("Enter an amount, e.g. %(example)s.")
AMOUNT_INVALID = _(
    "Enter the amount in digits, with “%(point)s” before the decimals, e.g. %(example)s."
)
AMOUNT_SIGNED = _("Enter the amount without a sign, e.g. %(example)s.")
AMOUNT_AMBIGUOUS = _("“%(text)s” can be read two ways. Write %(whole)s or %(fraction)s.")
AMOUNT_DECIMALS = _("Amounts in %(currency)s have at most %(decimals)s decimals, e.g. %(example)s.")
AMOUNT_NO_DECIMALS = _("Amounts in %(currency)s have no decimals, e.g. %(example)s.")
AMOUNT_TOO_LARGE = _("Enter at most %(digits)s digits before the decimals.")
# For staff, where the customer paid in another currency than the shop's: "48,50 CHF (≈ 50,12 EUR
# in the shop's currency)". The shop amount is Shopify's booking, so it is only about right.
IN_SHOP_CURRENCY = _("%(amount)s (≈ %(shop_amount)s in the shop's currency)")

_DIGITS = re.compile(r"[0-9]+")
_LETTER_NEXT_TO_DIGIT = re.compile(r"(?<=[^\W\d_])(?=[0-9])|(?<=[0-9])(?=[^\W\d_])")


class AmountError(ValueError):
    """An amount a person typed that cannot be taken as it stands; `message` says why, translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def decimals(currency: str) -> int:
    """How many decimals amounts in `currency` have: 2 for EUR, 0 for JPY, 3 for KWD."""
    return get_currency_precision(str(currency).upper())


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 EUR, 1 JPY, 0.001 KWD."""
    return Decimal(1).scaleb(-decimals(currency))


def is_exact(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is a whole number of the currency's smallest unit."""
    return amount.is_finite() and amount == amount.quantize(quantum(currency), rounding=ROUND_DOWN)


def normalise(amount: Decimal, currency: str) -> Decimal:
    """`amount` at the currency's scale (29 -> 29.00 EUR); ValueError if that would round it."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"An amount must be a Decimal, not {type(amount).__name__}.")
    if not is_exact(amount, currency):
        raise ValueError(f"{amount} has more decimals than {currency} has ({decimals(currency)}).")
    return amount.quantize(quantum(currency))


def round_down(amount: Decimal, currency: str) -> Decimal:
    """`amount` cut to the currency's smallest unit: for limits, which must never round up."""
    return amount.quantize(quantum(currency), rounding=ROUND_DOWN)


def total(amounts, currency: str) -> Decimal:
    """The sum of `amounts` at the currency's scale (SQLite sums decimals without their scale)."""
    return round_down(sum(amounts, ZERO), currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Cents (or yen, or fils): 29.00 EUR -> 2900; ValueError for a fraction of a cent."""
    return int(normalise(amount, currency).scaleb(decimals(currency)))


def from_minor_units(units: int, currency: str) -> Decimal:
    if not isinstance(units, int) or isinstance(units, bool):
        raise TypeError(f"Minor units are an int, not {type(units).__name__}.")
    return Decimal(units).scaleb(-decimals(currency)).quantize(quantum(currency))


def from_shopify(value: str, currency: str) -> Decimal:
    """An amount as Shopify writes it ("29.00", "29.0", "1500"), read exactly.

    At the currency's scale when it is a whole number of its smallest unit; otherwise exactly as
    sent, so a comparison with it is still right. A float or anything else is refused: it would
    already have lost the exact amount.
    """
    if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()):
        raise ValueError(f"Not an amount as Shopify writes one: {value!r}.")
    amount = Decimal(value.strip())
    return amount.quantize(quantum(currency)) if is_exact(amount, currency) else amount


def to_shopify(amount: Decimal, currency: str) -> str:
    """The decimal string Shopify takes: "29.00" EUR, "1500" JPY, "1.235" KWD."""
    return f"{normalise(amount, currency):f}"


def _locale(language: str | None) -> Locale:
    return Locale.parse(translation.to_locale(language or translation.get_language() or "en"))


def format_amount(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """The amount with its currency as `language` (default: the active one) writes it.

    € 29,00 (nl), 29,00 € (de), €29.00 (en); the currency's own number of decimals.
    """
    shown = format_currency(amount, str(currency).upper(), locale=_locale(language))
    # CLDR's currency spacing, which Babel leaves out: "KWD 1,234.500", not "KWD1,234.500".
    return _LETTER_NEXT_TO_DIGIT.sub("\xa0", shown)


def format_number(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """The amount as `language` writes it, without currency: "1.234,50" (nl), "1,234.50" (en)."""
    places = decimals(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(
        round_down(amount, currency), format=pattern, locale=_locale(language), group_separator=True
    )


def format_with_code(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """ "1.234,50 CHF": the number as `language` writes it and the currency's code, as staff read
    amounts in the admin."""
    return f"{format_number(amount, currency, language=language)}\xa0{str(currency).upper()}"


def format_for_staff(
    amount: Decimal,
    currency: str,
    *,
    shop_amount: Decimal | None = None,
    shop_currency: str = "",
    language: str | None = None,
) -> str:
    """ "48,50 CHF (≈ 50,12 EUR in the shop's currency)", or "48,50 CHF" without a shop amount
    in another currency."""
    shown = format_with_code(amount, currency, language=language)
    if shop_amount is None or not shop_currency or shop_currency.upper() == currency.upper():
        return shown
    return str(IN_SHOP_CURRENCY) % {
        "amount": shown,
        "shop_amount": format_with_code(shop_amount, shop_currency, language=language),
    }


def format_input(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """The amount for a form field, as `language` would type it: "1234,50" (nl), "1234.50" (en).

    Without thousands separators: "1.234" typed in German could be 1234 or 1.234, so the parser
    refuses it, and a field must never be pre-filled with something it would refuse.
    """
    point = get_decimal_symbol(_locale(language))
    return to_shopify(round_down(amount, currency), currency).replace(".", point)


def _example(currency: str, locale: Locale) -> str:
    return format_input(Decimal("29"), currency, language=str(locale))


def parse_amount(text: str, *, currency: str, language: str | None = None) -> Decimal:
    """The amount `text` says in `language` (default: the active one), at the currency's scale.

    Read: digits; the language's decimal separator once, followed by at most the currency's
    decimals; the language's thousands separator between groups of three digits, as long as the
    amount also has decimals or more than one separator ("1.234,50", "1.234.567" in nl and de).
    Refused, with an AmountError saying how to write it: an empty text; signs, underscores,
    exponents, NaN, Infinity, spaces inside, letters, non-ASCII digits; the other language's
    decimal separator ("29.00" in nl); a single thousands separator without decimals ("1.234" in
    de, "1,234" in en), which people on either side of the Rhine read differently; more decimals
    than the currency has; more than MAX_WHOLE_DIGITS digits before the decimals.
    """
    locale = _locale(language)
    point, group = get_decimal_symbol(locale), get_group_symbol(locale)
    return _parse(str(text).strip(), currency=currency, point=point, group=group, locale=locale)


def parse_canonical(text: str, *, currency: str) -> Decimal:
    """An amount as to_shopify() wrote it ("29.00"), e.g. back from a hidden form field."""
    return _parse(str(text).strip(), currency=currency, point=".", group=None, locale=_locale("en"))


def _parse(text: str, *, currency: str, point: str, group: str | None, locale: Locale) -> Decimal:
    def refuse(message, **values):
        raise AmountError(message % {"example": _example(currency, locale), **values})

    if not text:
        refuse(AMOUNT_EMPTY)
    if text[0] in "+-−":
        refuse(AMOUNT_SIGNED)
    whole, has_point, fraction = text.partition(point)
    if not has_point:
        fraction = ""
    if (
        (has_point and not _DIGITS.fullmatch(fraction))
        or not whole
        or not _DIGITS.fullmatch(whole.replace(group, "") if group else whole)
    ):
        refuse(AMOUNT_INVALID, point=point)
    if group and group in whole:
        if not re.fullmatch("[0-9]{1,3}(?:" + re.escape(group) + "[0-9]{3})+", whole):
            refuse(AMOUNT_INVALID, point=point)
        if not has_point and whole.count(group) == 1:
            whole_digits = whole.replace(group, "")
            refuse(
                AMOUNT_AMBIGUOUS,
                text=text,
                whole=whole_digits,
                fraction=whole.replace(group, point),
            )
        whole = whole.replace(group, "")
    if len(fraction) > decimals(currency):
        message = AMOUNT_DECIMALS if decimals(currency) else AMOUNT_NO_DECIMALS
        refuse(message, currency=str(currency).upper(), decimals=decimals(currency))
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        refuse(AMOUNT_TOO_LARGE, digits=MAX_WHOLE_DIGITS)
    try:
        amount = Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the checks above leave only digits
        refuse(AMOUNT_INVALID, point=point)
    return amount.quantize(quantum(currency))
