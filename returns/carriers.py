"""Carriers staff ship replacements with, and where a shopper tracks a parcel.

Where a carrier runs a site per country, the link goes to the one in the shopper's language.
"""

from urllib.parse import quote

from .models import Replacement

Carrier = Replacement.Carrier

TRACKING_URLS = {
    Carrier.DHL: {
        "de": "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}",
        "nl": "https://www.dhl.com/nl-nl/home/tracking/tracking-parcel.html?submit=1&tracking-id={number}",
        "en": "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={number}",
    },
    Carrier.POSTNL: {
        "nl": "https://jouw.postnl.nl/track-and-trace/{number}",
        "en": "https://jouw.postnl.nl/track-and-trace/{number}?language=en",
    },
    Carrier.DPD: {
        "de": "https://tracking.dpd.de/status/de_DE/parcel/{number}",
        "nl": "https://tracking.dpd.de/status/nl_NL/parcel/{number}",
        "en": "https://tracking.dpd.de/status/en_US/parcel/{number}",
    },
    Carrier.GLS: {
        "de": "https://gls-group.com/DE/de/paketverfolgung?match={number}",
        "nl": "https://gls-group.com/NL/nl/pakket-volgen?match={number}",
        "en": "https://gls-group.com/EU/en/parcel-tracking?match={number}",
    },
    Carrier.UPS: {
        "de": "https://www.ups.com/track?loc=de_DE&tracknum={number}",
        "nl": "https://www.ups.com/track?loc=nl_NL&tracknum={number}",
        "en": "https://www.ups.com/track?loc=en_GB&tracknum={number}",
    },
}


def tracking_url(carrier: str, tracking_number: str, language: str = "en") -> str:
    """The carrier's tracking page for this parcel, or "" for carriers we do not know."""
    sites = TRACKING_URLS.get(carrier)
    if not sites:
        return ""
    template = sites.get(language) or sites.get("en") or next(iter(sites.values()))
    return template.format(number=quote(tracking_number.strip(), safe=""))


# Shopify's tracking company names (FulfillmentTrackingInfo's supported companies) for ours.
SHOPIFY_COMPANIES = {
    "dhl": Carrier.DHL,
    "dhl express": Carrier.DHL,
    "dhl ecommerce": Carrier.DHL,
    "dhl parcel": Carrier.DHL,
    "deutsche post (dhl)": Carrier.DHL,
    "postnl": Carrier.POSTNL,
    "postnl international": Carrier.POSTNL,
    "dpd": Carrier.DPD,
    "dpd local": Carrier.DPD,
    "dpd uk": Carrier.DPD,
    "gls": Carrier.GLS,
    "ups": Carrier.UPS,
}


def carrier_of_company(company: str | None) -> str:
    """Our carrier for the tracking company Shopify names; Other for any we do not list."""
    name = " ".join((company or "").lower().split())
    if name in SHOPIFY_COMPANIES:
        return SHOPIFY_COMPANIES[name]
    first = name.split(" ")[0] if name else ""
    return SHOPIFY_COMPANIES.get(first, Carrier.OTHER)
