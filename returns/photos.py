"""Checking a shopper's photo by what it is, and making the copy the portal keeps.

A file is decoded with Pillow (HEIC and HEIF through pillow-heif): whatever its name or declared
type says, it is accepted only if one of the allowed decoders reads all of it. The copy kept is
re-encoded as JPEG from the pixels alone, so nothing of the original's metadata (EXIF with GPS
coordinates, the camera's serial number, XMP, comments) survives; the EXIF orientation is applied
first, and the longest side is limited. Pure functions over bytes: no storage, no database.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

pillow_heif.register_heif_opener()
# Every plugin Pillow has, registered now: Image.open(formats=...) only knows those loaded.
Image.init()

# The decoders a photo may be read with, by Pillow's format names. JPEG's also opens MPO, the
# JPEG variant some phones write (with a second, depth or preview image); HEIF covers .heic/.heif.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# What the file input offers: any image the phone has (camera or gallery), HEIC named explicitly
# because some browsers do not count it as an image/* type.
ACCEPT = "image/*,image/heic,image/heif,.heic,.heif"
STORED_TYPE = "image/jpeg"
JPEG_QUALITY = 85
# Shown names are cut to this length; a file name is the shopper's own text.
NAME_MAX = 80

EMPTY = _("“%(name)s” is empty. Please choose the photo again.")
TOO_LARGE = _("“%(name)s” is larger than %(megabytes)s MB. Please send a smaller photo.")
NOT_A_PHOTO = _(
    "“%(name)s” is not a photo we can read. Please send a JPEG, PNG, WebP or HEIC image."
)
TOO_MANY_PIXELS = _(
    "“%(name)s” has too many pixels (at most %(megapixels)s megapixels). "
    "Please send a smaller photo."
)
TRUNCATED = _(
    "“%(name)s” is incomplete: the file seems to have been cut off. Please send it again."
)


@dataclass(frozen=True)
class Limits:
    max_megabytes: float
    max_pixels: int
    max_side: int

    @property
    def max_bytes(self) -> int:
        return int(self.max_megabytes * 1024 * 1024)

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_megabytes=settings.CLAIM_PHOTO_MAX_MB,
            max_pixels=settings.CLAIM_PHOTO_MAX_MEGAPIXELS * 1_000_000,
            max_side=settings.CLAIM_PHOTO_MAX_SIDE,
        )


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed every check, as the portal keeps it."""

    content: bytes
    width: int
    height: int
    content_type: str = STORED_TYPE

    @property
    def size(self) -> int:
        return len(self.content)


class PhotoRefused(Exception):
    """The file is not a photo the portal accepts; `message` says why, naming the file."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def shown_name(name: str) -> str:
    name = " ".join((name or "").split()) or "?"
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def size_check(size: int, *, name: str, limits: Limits) -> None:
    """PhotoRefused if a file of this many bytes cannot be a photo we accept: checked before an
    upload is read."""
    values = {"name": shown_name(name)}
    if not size:
        raise PhotoRefused(EMPTY % values)
    if size > limits.max_bytes:
        raise PhotoRefused(TOO_LARGE % {**values, "megabytes": f"{limits.max_megabytes:g}"})


def photo_check(data: bytes, *, name: str, limits: Limits) -> CheckedPhoto:
    """The photo in `data`, checked and re-encoded; PhotoRefused if it is not one we accept."""
    values = {"name": shown_name(name)}
    size_check(len(data), name=name, limits=limits)
    too_many_pixels = TOO_MANY_PIXELS % {
        **values,
        "megapixels": _megapixels(limits.max_pixels),
    }
    with warnings.catch_warnings():
        # Pillow warns of a likely decompression bomb before it refuses one: refuse it at once.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(too_many_pixels) from None
        except Exception:
            # Not one of the allowed kinds, or a header no decoder makes sense of.
            raise PhotoRefused(NOT_A_PHOTO % values) from None
        with image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > limits.max_pixels:
                raise PhotoRefused(too_many_pixels)
            try:
                return _reencoded(image, limits.max_side)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise PhotoRefused(too_many_pixels) from None
            except OSError as error:
                if "truncated" in str(error) or "broken" in str(error).lower():
                    raise PhotoRefused(TRUNCATED % values) from None
                raise PhotoRefused(NOT_A_PHOTO % values) from None
            except Exception:
                raise PhotoRefused(NOT_A_PHOTO % values) from None


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def _reencoded(image: Image.Image, max_side: int) -> CheckedPhoto:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Set process-wide by someone else: a cut-off file would pass as a grey-bottomed photo.
        raise OSError("image file is truncated (truncated images are being loaded)")
    if image.format in ("JPEG", "MPO"):
        # Decode at the smallest scale still at least max_side wide: less memory and time.
        image.draft("RGB", (max_side, max_side))
    image.load()
    # The orientation the camera recorded, applied to the pixels: the copy has no EXIF to say it.
    image = ImageOps.exif_transpose(image)
    image = _flattened(image)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Saved from the pixels only: no exif=, no xmp=, no comment, so none is written.
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CheckedPhoto(content=out.getvalue(), width=image.width, height=image.height)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency laid over white, as a photo of a product would show it."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale (some PNGs): scaled to 8 bits rather than clipped to white.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("RGB")
    return image.convert("RGB")


def thumbnail(content: bytes, *, side: int) -> bytes:
    """A smaller JPEG of a photo the portal stored (already checked and re-encoded)."""
    with Image.open(io.BytesIO(content), formats=("JPEG",)) as image:
        image.draft("RGB", (side, side))
        image.load()
        image = image.convert("RGB")
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        return out.getvalue()
