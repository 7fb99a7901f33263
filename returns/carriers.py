"""Carriers staff ship replacements with, and where a shopper tracks a parcel."""

from urllib.parse import quote

from .models import Replacement

Carrier = Replacement.Carrier

TRACKING_URLS = {
    Carrier.DHL: "https://www.dhl.com/nl-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={number}",
    Carrier.POSTNL: "https://jouw.postnl.nl/track-and-trace/{number}",
    Carrier.DPD: "https://tracking.dpd.de/status/en_US/parcel/{number}",
    Carrier.GLS: "https://gls-group.com/track/{number}",
    Carrier.UPS: "https://www.ups.com/track?tracknum={number}",
}


def tracking_url(carrier: str, tracking_number: str) -> str:
    """The carrier's public tracking page for this parcel, or "" for carriers we do not know."""
    template = TRACKING_URLS.get(carrier)
    return template.format(number=quote(tracking_number.strip(), safe="")) if template else ""
