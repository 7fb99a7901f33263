"""A photo is checked by what it is and kept without what it says about the shopper."""

import io

import pytest
from PIL import ExifTags, Image

from returns import photos
from tests import photo_files

LIMITS = photos.Limits(max_megabytes=10, max_pixels=50_000_000, max_side=2048)


def check(data, name="photo.jpg", limits=LIMITS):
    return photos.photo_check(data, name=name, limits=limits)


def refusal(data, name, limits=LIMITS) -> str:
    with pytest.raises(photos.PhotoRefused) as refused:
        check(data, name, limits)
    return str(refused.value.message)


def opened(checked: photos.CheckedPhoto) -> Image.Image:
    return Image.open(io.BytesIO(checked.content))


@pytest.mark.parametrize(
    "data, name, says",
    [
        (photo_files.pdf_named_jpg(), "invoice.jpg", "is not a photo we can read"),
        (photo_files.svg_with_script(), "defect.svg", "is not a photo we can read"),
        (photo_files.png_claiming(20_000, 20_000), "huge.png", "has too many pixels"),
        (photo_files.truncated_jpeg(), "cut.jpg", "is incomplete"),
        (b"", "empty.jpg", "is empty"),
        (photo_files.photo(format="GIF"), "animated.gif", "is not a photo we can read"),
        (photo_files.photo(format="TIFF"), "scan.tiff", "is not a photo we can read"),
    ],
)
def test_a_file_that_is_no_photo_we_accept_is_refused_by_name(data, name, says):
    message = refusal(data, name)
    assert says in message and f"“{name}”" in message


def test_a_bomb_is_refused_from_its_header_alone_before_any_decoding():
    # Pillow's own limit (MAX_IMAGE_PIXELS) is above ours; ours answers first, and fast.
    bomb = photo_files.png_claiming(9_000, 9_000)  # 81 megapixels: under Pillow's limit
    assert len(bomb) < 100_000
    assert "at most 50 megapixels" in refusal(bomb, "bomb.png")


def test_a_file_too_large_in_bytes_is_refused_before_it_is_decoded():
    limits = photos.Limits(max_megabytes=0.01, max_pixels=50_000_000, max_side=2048)
    message = refusal(photo_files.photo(800, 600), "big.jpg", limits)
    assert message == "“big.jpg” is larger than 0.01 MB. Please send a smaller photo."
    with pytest.raises(photos.PhotoRefused):
        photos.size_check(11 * 1024 * 1024, name="big.jpg", limits=LIMITS)


def test_a_long_or_odd_file_name_is_shown_short_and_on_one_line():
    message = refusal(b"", "a\nb" + "x" * 300 + ".jpg")
    assert "\n" not in message and len(message) < 200


@pytest.mark.parametrize(
    "data",
    [
        photo_files.photo(format="JPEG"),
        photo_files.photo(format="PNG"),
        photo_files.photo(format="WEBP"),
        photo_files.heic(),
    ],
    ids=["jpeg", "png", "webp", "heic"],
)
def test_jpeg_png_webp_and_heic_are_accepted_and_kept_as_jpeg(data):
    checked = check(data)
    assert checked.content_type == "image/jpeg"
    assert opened(checked).format == "JPEG"
    assert checked.size == len(checked.content) > 0


def test_an_iphone_heic_is_accepted_with_its_size():
    checked = check(photo_files.heic(320, 240), "IMG_0001.HEIC")
    assert (checked.width, checked.height) == (320, 240)


def test_gps_and_camera_details_are_removed_from_the_kept_copy():
    original = photo_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    kept = opened(check(original))

    exif = kept.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif and len(exif) == 0
    assert "exif" not in kept.info and b"PhoneMaker" not in check(original).content


def test_the_cameras_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was held upright; the sensor's picture must be turned 90°.
    kept = opened(check(photo_files.jpeg_with_gps(400, 200, orientation=6)))
    assert kept.size == (200, 400)
    # The sensor's dark left half is on top once turned clockwise.
    assert sum(kept.getpixel((100, 50))) < 100 and sum(kept.getpixel((100, 350))) > 200


def test_the_longest_side_is_limited_and_the_shape_kept():
    checked = check(photo_files.photo(4000, 3000), "big.jpg")
    assert (checked.width, checked.height) == (2048, 1536) == opened(checked).size


def test_a_transparent_png_is_laid_over_white():
    image = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    kept = opened(check(photo_files.encoded(image, "PNG"), "screenshot.png"))
    assert kept.getpixel((10, 10)) == (255, 255, 255)


def test_a_thumbnail_is_a_small_jpeg_of_the_kept_photo():
    kept = check(photo_files.photo(2000, 1000))
    small = Image.open(io.BytesIO(photos.thumbnail(kept.content, side=320)))
    assert small.format == "JPEG" and small.size == (320, 160)
