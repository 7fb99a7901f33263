"""Photos sent with a claim, through the claim form as a shopper's phone sends them."""

import re

import pytest
from django.db import IntegrityError
from django.utils import translation
from PIL import ExifTags

from returns import services
from returns.models import ClaimPhoto, ReturnRequest
from returns.photos import CheckedPhoto
from tests import photo_files
from tests.returns.photo_flow import (
    ORDER,
    claim_form,
    jpeg,
    load_order,
    look_up,
    stored_files,
    stored_image,
)

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.jpg")


@pytest.fixture
def order(devshop):
    return load_order(devshop)


@pytest.fixture
def shopper(client, order):
    look_up(client)
    return client


def test_the_claim_form_offers_camera_and_gallery_and_works_without_javascript(shopper):
    html = shopper.get(ORDER).content.decode()
    assert 'enctype="multipart/form-data"' in html
    [photo_input] = re.findall(r'<input type="file"[^>]*>', html)
    assert 'name="photos"' in photo_input and " multiple" in photo_input
    assert 'accept="image/*,image/heic,image/heif,.heic,.heif"' in photo_input
    # `capture` would make some phones offer the camera only, not the gallery.
    assert "capture" not in photo_input
    assert "up to 5 photos" in html and "at most 10 MB each" in html
    assert "/static/portal/photos.js" in html


def test_a_claim_keeps_its_photos_re_encoded_under_random_names(shopper, order):
    before = stored_files()
    photos = [
        jpeg("IMG_2041.jpg"),
        photo_files.upload("IMG_2042.HEIC", photo_files.heic(), "image/heic"),
    ]

    response = shopper.post(ORDER, claim_form(order, photos=photos))

    claim = ReturnRequest.objects.get()
    assert response.status_code == 302 and claim.kind == "claim"
    kept = list(claim.photos.all())
    assert [p.stage for p in kept] == ["claim", "claim"]
    assert all(RANDOM_NAME.fullmatch(p.file.name) for p in kept)
    assert {p.file.name for p in kept} == stored_files() - before
    assert [(p.width, p.height, p.content_type) for p in kept] == [
        (640, 480, "image/jpeg"),
        (320, 240, "image/jpeg"),
    ]
    assert all(p.size == stored_image_size(p) for p in kept)
    assert stored_image(kept[1]).format == "JPEG"  # the HEIC, kept as JPEG


def stored_image_size(photo):
    from django.core.files.storage import storages

    return storages["photos"].size(photo.file.name)


def test_the_kept_copy_has_no_gps_position(shopper, order):
    shopper.post(
        ORDER,
        claim_form(order, photos=[photo_files.upload("gps.jpg", photo_files.jpeg_with_gps())]),
    )

    image = stored_image(ClaimPhoto.objects.get())

    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo) and len(image.getexif()) == 0


def test_the_kept_copy_is_at_most_2048_pixels_on_its_longest_side(shopper, order):
    shopper.post(ORDER, claim_form(order, photos=[jpeg("wide.jpg", width=3000, height=1000)]))

    photo = ClaimPhoto.objects.get()
    assert stored_image(photo).size == (2048, 683) == (photo.width, photo.height)


BAD_FILES = [
    ("invoice.jpg", photo_files.pdf_named_jpg, "is not a photo we can read"),
    ("drawing.svg", photo_files.svg_with_script, "is not a photo we can read"),
    ("huge.png", lambda: photo_files.png_claiming(20_000, 20_000), "has too many pixels"),
    ("cut.jpg", photo_files.truncated_jpeg, "is incomplete"),
    ("empty.jpg", lambda: b"", "is empty"),
]


@pytest.mark.parametrize("name, make, says", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_by_name_and_the_form_keeps_what_was_typed(
    shopper, order, name, make, says
):
    before = stored_files()
    comment = "The lamp flickers & then goes dark."
    photos = [jpeg("good.jpg"), photo_files.upload(name, make())]

    response = shopper.post(ORDER, claim_form(order, photos=photos, comment=comment))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"“{name}” {says}" in html
    # Nothing saved, not even the good photo; everything typed is still there.
    assert not ReturnRequest.objects.exists() and stored_files() == before
    assert "The lamp flickers &amp; then goes dark." in html
    assert re.search(r'value="defect"[^>]*checked|checked[^>]*value="defect"', html)
    assert re.search(r'value="replacement"[^>]*checked|checked[^>]*value="replacement"', html)
    assert 'value="1"' in html  # the quantity
    assert "Please choose your photos again" in html


def test_six_photos_are_refused_with_the_limit(shopper, order):
    photos = [jpeg(f"photo{n}.jpg", width=64, height=48) for n in range(6)]

    response = shopper.post(ORDER, claim_form(order, photos=photos))

    assert response.status_code == 200
    assert "You can send at most 5 photos at a time; you chose 6." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_the_shop_may_allow_fewer_photos(shopper, order, settings):
    settings.CLAIM_PHOTOS_MAX = 2
    response = shopper.post(ORDER, claim_form(order, photos=[jpeg(), jpeg(), jpeg()]))
    assert "at most 2 photos" in response.content.decode()


def test_the_shop_may_allow_larger_or_smaller_files(shopper, order, settings):
    settings.CLAIM_PHOTO_MAX_MB = 1
    big = photo_files.upload("big.jpg", b"\xff\xd8" + b"\0" * (1024 * 1024 + 1))
    response = shopper.post(ORDER, claim_form(order, photos=[big]))
    assert "“big.jpg” is larger than 1 MB." in response.content.decode()


def test_a_withdrawal_takes_no_photos(shopper, order):
    form = claim_form(order, reason="not_satisfied", comment="", photos=[jpeg()])

    response = shopper.post(ORDER, form)

    assert response.status_code == 200
    assert "Photos can be sent with a defect claim only" in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_withdrawal_cannot_get_photos_through_the_service_either(order, client):
    look_up(client)
    checked = CheckedPhoto(content=photo_files.photo(), width=640, height=480)
    local = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with pytest.raises(services.ReturnError, match="defect claim only"):
        services.return_request_create(
            order=local,
            quantities={order["lineItems"]["nodes"][0]["id"]: 1},
            reason="not_satisfied",
            comment="",
            locale="en",
            photos=[checked],
        )


def test_a_shop_can_require_a_photo_for_a_claim(shopper, order, settings):
    settings.CLAIM_PHOTOS_REQUIRED = True

    without = shopper.post(ORDER, claim_form(order))
    assert "Please add at least one photo of the defect." in without.content.decode()
    assert "(at least one)" in without.content.decode()
    assert not ReturnRequest.objects.exists()

    with_one = shopper.post(ORDER, claim_form(order, photos=[jpeg()]))
    assert with_one.status_code == 302 and ClaimPhoto.objects.count() == 1
    # A withdrawal still needs none.
    withdrawal = claim_form(order, reason="not_satisfied", comment="", lamp=0, shirt=1)
    assert shopper.post(ORDER, withdrawal).status_code == 302


def test_a_sent_twice_claim_keeps_its_photos_once(shopper, order):
    form = claim_form(order, photos=[jpeg()], lamp=0, shirt=1)
    shopper.post(ORDER, form)
    before = stored_files()

    form["photos"] = [jpeg()]
    again = shopper.post(ORDER, form)

    assert again.status_code == 302
    assert ClaimPhoto.objects.count() == 1 and stored_files() == before


def test_files_written_before_a_failed_save_are_deleted_again(order, client):
    """The second photo's row cannot be saved: the request, both rows and both files are gone."""
    look_up(client)
    before = stored_files()
    good = CheckedPhoto(content=photo_files.photo(), width=640, height=480)
    unsavable = CheckedPhoto(content=photo_files.photo(), width=-1, height=480)
    local = services.shopify_order_lookup(order_number="1001", email="anna@example.com")

    with pytest.raises(IntegrityError):  # the database refuses a negative width
        services.return_request_create(
            order=local,
            quantities={order["lineItems"]["nodes"][0]["id"]: 1},
            reason="defect",
            remedy="repair",
            comment="Broken.",
            locale="en",
            photos=[good, unsavable],
        )

    assert not ReturnRequest.objects.exists() and not ClaimPhoto.objects.exists()
    assert stored_files() == before


def test_a_refused_file_is_told_in_the_shoppers_language(devshop, client):
    order = load_order(devshop, locale="nl")
    look_up(client)
    with translation.override("nl"):
        response = client.post(
            ORDER,
            claim_form(
                order, photos=[photo_files.upload("factuur.jpg", photo_files.pdf_named_jpg())]
            ),
        )
    html = response.content.decode()
    assert "“factuur.jpg” is geen foto die we kunnen lezen" in html


def test_photos_go_to_whatever_store_is_configured(shopper, order, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    assert stored_files() == set()

    shopper.post(ORDER, claim_form(order, photos=[jpeg()]))

    assert stored_files() == {ClaimPhoto.objects.get().file.name}
