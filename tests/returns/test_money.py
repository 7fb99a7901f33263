"""returns.money: what staff type is read exactly in their language, never guessed; Shopify's
amounts are read exactly; amounts are shown as each language writes them; no float on the way."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from returns import money

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# One currency for each number of decimals Shopify's currencies have.
CURRENCIES = {0: "JPY", 2: "EUR", 3: "KWD"}


@pytest.mark.parametrize("currency, places", [("EUR", 2), ("JPY", 0), ("KWD", 3), ("huf", 0)])
def test_each_currency_has_its_own_number_of_decimals(currency, places):
    assert money.decimals(currency) == places
    assert money.to_minor_units(Decimal(12), currency) == 12 * 10**places


@pytest.mark.parametrize(
    "language, text, amount",
    [
        ("nl", "29,00", "29.00"),
        ("nl", "2,5", "2.50"),
        ("nl", "1.234,50", "1234.50"),
        ("de", "29,00", "29.00"),
        ("de", "2,5", "2.50"),
        ("de", "1.234,50", "1234.50"),
        ("de", "1.234.567", "1234567.00"),
        ("de", " 7 ", "7.00"),
        ("en", "29.00", "29.00"),
        ("en", "1,234.50", "1234.50"),
        ("en", "0.5", "0.50"),
    ],
)
def test_amounts_are_read_as_the_language_writes_them(language, text, amount):
    parsed = money.parse_amount(text, currency="EUR", language=language)
    assert parsed == Decimal(amount) and str(parsed) == amount


@pytest.mark.parametrize(
    "language, text, message",
    [
        (
            "de",
            "1.234",
            "„1.234“ kann auf zwei Arten gelesen werden. Schreiben Sie 1234 oder 1,234.",
        ),
        ("nl", "1.234", "“1.234” kan op twee manieren worden gelezen. Schrijf 1234 of 1,234."),
        ("en", "1,234", "“1,234” can be read two ways. Write 1234 or 1.234."),
        ("nl", "29.00", "Vul het bedrag in cijfers in, met “,” voor de decimalen, bijv. 29,00."),
        ("en", "29,00", "Enter the amount in digits, with “.” before the decimals, e.g. 29.00."),
        ("nl", "1_0", "met “,” voor de decimalen"),
        ("de", "1e3", "mit „,“ vor den Nachkommastellen"),
        ("de", "NaN", "mit „,“ vor den Nachkommastellen"),
        ("nl", "Infinity", "met “,” voor de decimalen"),
        ("nl", "1 000", "met “,” voor de decimalen"),
        ("nl", "٣", "met “,” voor de decimalen"),
        ("nl", "29,", "met “,” voor de decimalen"),
        ("nl", "-5", "Vul het bedrag in zonder plus- of minteken"),
        ("de", "+5", "Bitte geben Sie den Betrag ohne Vorzeichen ein"),
        ("nl", "2,555", "Bedragen in EUR hebben maximaal 2 decimalen, bijv. 29,00."),
        ("de", "2,555", "Beträge in EUR haben höchstens 2 Nachkommastellen, z. B. 29,00."),
        ("en", "", "Enter an amount, e.g. 29.00."),
        ("en", "1" * 13, "at most 12 digits"),
    ],
)
def test_anything_ambiguous_or_foreign_is_refused_in_the_staff_language(language, text, message):
    with translation.override(language), pytest.raises(money.AmountError) as refused:
        money.parse_amount(text, currency="EUR")
    assert message in str(refused.value.message)


def test_a_currency_without_decimals_refuses_any():
    with translation.override("de"), pytest.raises(money.AmountError) as refused:
        money.parse_amount("1500,00", currency="JPY")
    assert str(refused.value.message) == "Beträge in JPY haben keine Nachkommastellen, z. B. 29."
    assert money.parse_amount("1,235", currency="KWD", language="nl") == Decimal("1.235")


@pytest.mark.parametrize(
    "language, amount, currency, shown",
    [
        ("nl", "1234.5", "EUR", "€\xa01.234,50"),
        ("de", "1234.5", "EUR", "1.234,50\xa0€"),
        ("en", "1234.5", "EUR", "€1,234.50"),
        ("de", "1234", "JPY", "1.234\xa0¥"),
        ("en", "1234.5", "KWD", "KWD\xa01,234.500"),
    ],
)
def test_amounts_are_shown_as_each_language_writes_them(language, amount, currency, shown):
    assert money.format_amount(Decimal(amount), currency, language=language) == shown


def test_shopify_amounts_are_read_exactly_and_sent_at_the_currency_scale():
    assert str(money.from_shopify("29.0", "EUR")) == "29.00"
    assert str(money.from_shopify("1500", "JPY")) == "1500"
    assert money.from_shopify("0.005", "EUR") == Decimal("0.005")  # kept, not rounded
    assert money.to_shopify(Decimal("1.5"), "KWD") == "1.500"
    assert money.to_shopify(Decimal("29.000"), "EUR") == "29.00"
    with pytest.raises(ValueError):
        money.from_shopify(29.0, "EUR")
    with pytest.raises(ValueError):
        money.to_shopify(Decimal("29.001"), "EUR")
    with pytest.raises(TypeError):
        money.to_shopify(29.0, "EUR")


amounts = st.builds(
    lambda places, units: (CURRENCIES[places], money.from_minor_units(units, CURRENCIES[places])),
    st.sampled_from(sorted(CURRENCIES)),
    st.integers(min_value=0, max_value=10**12 - 1),
)


@given(amounts, st.sampled_from(LANGUAGES))
def test_an_amount_written_for_a_form_reads_back_the_same(currency_amount, language):
    currency, amount = currency_amount
    text = money.format_input(amount, currency, language=language)
    assert money.parse_amount(text, currency=currency, language=language) == amount
    assert money.parse_canonical(money.to_shopify(amount, currency), currency=currency) == amount
    assert money.from_minor_units(money.to_minor_units(amount, currency), currency) == amount


@given(amounts, st.sampled_from(LANGUAGES))
def test_an_amount_as_shown_to_staff_reads_back_the_same_or_is_refused(currency_amount, language):
    """Copying "1.234,50" from a screen gives 1234.50; "1.234" JPY could be 1.234, so: refused."""
    currency, amount = currency_amount
    text = money.format_number(amount, currency, language=language)
    try:
        assert money.parse_amount(text, currency=currency, language=language) == amount
    except money.AmountError as refused:
        assert money.decimals(currency) == 0 and 1000 <= amount < 10**6, text
        assert (
            "two ways" in str(refused.message)
            or "zwei" in str(refused.message)
            or "twee" in str(refused.message)
        )


@given(st.text(alphabet="0123456789.,_ e-+", max_size=12), st.sampled_from(LANGUAGES))
def test_nothing_typed_is_reinterpreted(text, language):
    """An amount is accepted only as the plain reading of its digits in that language."""
    try:
        amount = money.parse_amount(text, currency="EUR", language=language)
    except money.AmountError:
        return
    point = "." if language == "en" else ","
    group = "," if language == "en" else "."
    assert set(text.strip()) <= set("0123456789") | {point, group}
    assert amount == Decimal(text.strip().replace(group, "").replace(point, "."))


# Where the portal holds money. float() may appear elsewhere only for seconds and rates.
MONEY_PATHS = [
    "returns/money.py",
    "returns/models.py",
    "returns/admin_forms.py",
    "returns/admin.py",
    "returns/admin_records.py",
    "returns/admin_views.py",
    "returns/selectors.py",
    "returns/writeback.py",
    "returns/emails.py",
    "returns/policy.py",
    "returns/services",
    "returns/shopify/orders.py",
    "returns/shopify/refunds.py",
    "returns/shopify/types.py",
    "returns/templatetags",
]


def test_no_float_on_any_money_path():
    root = Path(settings.BASE_DIR)
    files = [
        p for path in MONEY_PATHS for p in sorted((root / path).glob("**/*.py")) or [root / path]
    ]
    floats = []
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "float":
                floats.append(f"{path.relative_to(root)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in {"FloatField", "floatformat"}:
                floats.append(f"{path.relative_to(root)}:{node.lineno}")
    templates = [
        str(p.relative_to(root))
        for p in (root / "templates").glob("**/*")
        if p.is_file() and "floatformat" in p.read_text()
    ]
    assert floats == [] and templates == []
