"""Files a shopper might send as photos, good and bad, made on the spot."""

import io
import struct
import zlib

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

pillow_heif.register_heif_opener()

LATITUDE = (52.0, 22.0, 1.5)  # Amsterdam, where the shopper lives


def encoded(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def photo(width=640, height=480, color="tomato", format="JPEG", **options) -> bytes:
    # A gradient, so that a cut-off file is missing real data, not one repeated colour.
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(image, Image.new("RGB", (width, height), color), 0.5)
    return encoded(image, format, **options)


def jpeg_with_gps(width=400, height=200, orientation=1) -> bytes:
    """A phone photo as it leaves the camera: GPS position, camera make, orientation."""
    image = Image.new("RGB", (width, height), "steelblue")
    # Left half dark, so a test can tell which way the stored copy was turned.
    image.paste((10, 10, 10), (0, 0, width // 2, height))
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    return encoded(image, "JPEG", exif=exif, quality=90)


def heic(width=320, height=240) -> bytes:
    """What an iPhone sends by default."""
    return encoded(Image.new("RGB", (width, height), "seagreen"), "HEIF", quality=80)


def pdf_named_jpg() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b"<script>fetch('/admin/')</script><rect width='100' height='100'/></svg>"
    )


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header says width × height: a few hundred bytes that would decode into
    gigabytes (20,000 × 20,000 RGB is 1.2 GB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # One row of black; the decoder would want 20,000 of them.
    pixels = zlib.compress(b"\0" + b"\0" * (width * 3), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    whole = photo(800, 600)
    return whole[: len(whole) // 2]


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
