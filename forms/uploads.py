"""Picture uploads: checked by their content, not their name, and re-encoded to drop metadata."""

import io
import warnings
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from PIL import Image, UnidentifiedImageError
from wtforms.validators import StopValidation

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed the checks, re-encoded without its metadata."""

    data: bytes
    content_type: str
    width: int
    height: int
    filename: str


class UploadRefused(ValueError):
    """The file is not an image Heard accepts; the message says why in plain words."""


def _refuse(message: LazyString) -> UploadRefused:
    return UploadRefused(str(message))


def check_image(data: bytes, filename: str = "") -> CheckedImage:
    """Accept a JPEG, PNG or WebP under 5 MB, and re-encode it to strip its metadata."""
    if len(data) > MAX_BYTES:
        raise _refuse(_l("The selected file must be smaller than 5 MB"))
    if not data:
        raise _refuse(_l("The selected file is empty"))
    not_a_picture = _l("The selected file must be a JPEG, PNG or WebP picture")
    try:
        with warnings.catch_warnings():
            # A small file that unpacks into a huge image is an attack, not a photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                probe.verify()
            if image_format not in ALLOWED:
                raise _refuse(not_a_picture)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _refuse(_l("The selected picture is too big. Choose a smaller one"))
                image.load()
                clean = _reencode(image, image_format)
    except UploadRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _refuse(not_a_picture) from None
    return CheckedImage(
        data=clean,
        content_type=ALLOWED[image_format],
        width=image.width,
        height=image.height,
        filename=filename[:200],
    )


def _reencode(image: Image.Image, image_format: str) -> bytes:
    """Save the pixels again, which leaves EXIF, GPS and other metadata behind."""
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB"
        image.convert(mode).save(out, image_format)
    return out.getvalue()


class ImageUpload:
    """WTForms validator: an optional picture upload, checked and cleaned."""

    def __call__(self, form: Any, field: Any) -> None:
        field.image = None
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            field.image = check_image(data, upload.filename)
        except UploadRefused as error:
            raise StopValidation(str(error)) from None
