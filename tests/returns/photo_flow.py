"""Shared steps of the photo tests: a shopper's order in devshop, the claim form, the storage."""

import io
import uuid

from django.core.files.storage import storages
from django.urls import reverse
from PIL import Image

from tests import photo_files, shop

ORDER = reverse("returns:order")


def load_order(devshop, locale="en"):
    items = [
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale=locale, items=items)
    devshop.load_orders([data])
    return data


def look_up(client):
    response = client.post(
        reverse("returns:start"), {"order_number": "1001", "email": "anna@example.com"}
    )
    assert response.status_code == 302
    return response


def line_id(order_data, index):
    return order_data["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]


def claim_form(
    order_data, *, photos=(), reason="defect", comment="The switch is broken.", lamp=1, shirt=0
):
    form = {
        "reason": reason,
        "remedy": "replacement" if reason == "defect" else "",
        "comment": comment,
        "submission_key": str(uuid.uuid4()),
        f"quantity_{line_id(order_data, 0)}": lamp,
        f"quantity_{line_id(order_data, 1)}": shirt,
    }
    if photos:
        form["photos"] = list(photos)
    return form


def jpeg(name="lamp.jpg", **size):
    return photo_files.upload(name, photo_files.photo(**size))


def stored_files() -> set[str]:
    """Every file in the photo storage, whatever backend it is."""
    return set(storages["photos"].listdir("")[1])


def stored_image(photo) -> Image.Image:
    """The kept copy of a ClaimPhoto, read back through the storage API."""
    with storages["photos"].open(photo.file.name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read()))
