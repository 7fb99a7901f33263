"""Claim photos in whichever photo store this test run uses: the filesystem, or S3 at moto's
server (TEST_PHOTOS_S3_ENDPOINT_URL). Photos are stored as the portal stores them, through the
model's file field, so they land where real ones would."""

import io
from pathlib import Path

from botocore.config import Config
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from PIL import Image

from portal.settings.base import photos_s3_storage
from returns.models import ClaimPhoto


def on_s3() -> bool:
    return bool(settings.TEST_PHOTOS_S3_ENDPOINT_URL)


def jpeg(color=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=80)
    return out.getvalue()


def photo_add(request, *, color=(200, 30, 30), stage=ClaimPhoto.Stage.CLAIM) -> ClaimPhoto:
    data = jpeg(color)
    photo = ClaimPhoto(
        request=request, content_type="image/jpeg", width=64, height=48, size=len(data), stage=stage
    )
    photo.file.save("evidence.jpg", ContentFile(data), save=False)
    photo.save()
    return photo


def stored(name: str) -> bool:
    return storages["photos"].exists(name)


def unreachable_store(tmp_path: Path):
    """A photo store of this run's kind that cannot be reached: S3 at a port where nothing
    listens, or a folder that cannot exist (its parent is a file)."""
    if on_s3():
        store = storages.create_storage(
            photos_s3_storage(
                bucket="photos-test",
                endpoint_url="http://127.0.0.1:9",
                region="eu-central-1",
                access_key="testing",
                secret_key="testing",
            )
        )
        store.client_config = store.client_config.merge(
            Config(retries={"max_attempts": 1}, connect_timeout=1)
        )
        return store
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the photo folder should be")
    return FileSystemStorage(location=blocker / "photos")
