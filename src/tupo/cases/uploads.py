"""Upload checks shared by cases and meetings: type from the content (never the name), size limits.

Images are verified with Pillow when it is installed, else by their magic bytes. Files are stored under
random names and served back with headers that stop a browser from running them (see ``serve_file``).
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import PurePath
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
DOC_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/msword": ".doc",
}


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _office_type(upload) -> str | None:
    try:
        upload.seek(0)
        names = set(zipfile.ZipFile(upload).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    office = [t for t in DOC_TYPES if "openxmlformats" in t]  # docx, xlsx, pptx
    for prefix, ctype in zip(("word/", "xl/", "ppt/"), office, strict=True):
        if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
            return ctype
    return None


def _verify_image(upload, ctype: str) -> bool:
    try:
        from PIL import Image  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return _image_structure_ok(upload, ctype)
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            img.verify()
        return True
    except Exception:  # noqa: BLE001 (any decoder error means "not an image")
        return False
    finally:
        upload.seek(0)


def _image_structure_ok(upload, ctype: str) -> bool:
    """Without Pillow: beyond the magic bytes, check the end marker or header a real file has."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if ctype == "image/jpeg":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9") and len(data) > 100
    if ctype == "image/png":
        return data[12:16] == b"IHDR" and b"IEND" in data[-16:]
    if ctype == "image/gif":
        return data.endswith(b";") and len(data) > 13
    return len(data) > 30


def check_upload(upload, *, images_only: bool) -> tuple[str, str]:
    """Validate an uploaded file; return (content type, extension). Raises ValidationError."""
    limit = MAX_IMAGE_BYTES if images_only else MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ctype = sniff(head)
    if ctype == "zip":
        ctype = _office_type(upload)
    if ctype in IMAGE_TYPES:
        if not _verify_image(upload, ctype):
            raise ValidationError(_("The file is not a valid image."))
        return ctype, IMAGE_TYPES[ctype]
    if images_only:
        raise ValidationError(_("Only JPEG, PNG, GIF or WebP images are accepted."))
    if ctype in DOC_TYPES:
        return ctype, DOC_TYPES[ctype]
    raise ValidationError(_("This file type is not accepted (images, PDF, Word, Excel or PowerPoint only)."))


def store_upload(instance, upload, *, images_only: bool, field: str = "file"):
    """Check ``upload`` from its content, fill ``original_name``/``content_type``/``size`` on ``instance``,
    store the bytes under a random name and save the row. A refusal is a ValidationError on ``file``."""
    from django.core.files.base import ContentFile

    try:
        ctype, ext = check_upload(upload, images_only=images_only)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    upload.seek(0)
    instance.original_name = safe_name(upload.name)
    instance.content_type = ctype
    instance.size = upload.size
    getattr(instance, field).save(storage_name(ext), ContentFile(upload.read()), save=False)
    instance.save()
    return instance


def storage_name(ext: str) -> str:
    return f"{uuid.uuid4().hex}{ext}"


def safe_name(name: str) -> str:
    base = PurePath(name or "file").name.replace("\x00", "")
    return base[:120] or "file"


def serve_file(fieldfile, content_type: str, original_name: str) -> FileResponse:
    """Images inline, everything else as a download; no sniffing, no script execution, not framed."""
    inline = content_type in IMAGE_TYPES
    response = FileResponse(fieldfile.open("rb"), content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(safe_name(original_name))}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response
