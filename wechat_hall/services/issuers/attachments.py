"""附件 of an application: documents only, checked by their first bytes (not by the name
the browser sends), at most 5 MB each and 5 in all."""
import hashlib
import re
import zipfile
from io import BytesIO

from flask import abort

from models import ApplicationAttachment
from wechat_hall.extensions import db

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
KINDS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".png": "image/png",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".doc": "application/msword"}
OLE = bytes.fromhex("d0cf11e0a1b11ae1")


class AttachmentRefused(ValueError):
    pass


def _looks_like(ext, data):
    if ext == ".pdf":
        return data.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == ".doc":
        return data.startswith(OLE)
    if ext == ".docx":
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                return "word/document.xml" in z.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
    return False


def safe_name(name):
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "", (name or "").strip())
    return name[-120:] or "附件"


def check(name, data):
    """(safe name, content type, sha256) of an acceptable document, else AttachmentRefused."""
    raw = name or ""
    if "\x00" in raw:
        raise AttachmentRefused("附件文件名含有非法字符")
    ext = ("." + raw.rsplit(".", 1)[-1].lower()) if "." in raw else ""
    if ext not in KINDS:
        raise AttachmentRefused(f"附件“{safe_name(raw)[:40]}”不是可接受的文件类型，"
                                "请上传 PDF、Word（doc/docx）或 JPG/PNG 图片")
    if not data:
        raise AttachmentRefused(f"附件“{safe_name(raw)[:40]}”是空文件")
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(f"附件“{safe_name(raw)[:40]}”超过 5 MB")
    if not _looks_like(ext, data):
        raise AttachmentRefused(f"附件“{safe_name(raw)[:40]}”的内容与文件类型不符，"
                                "请上传真实的文档")
    return safe_name(raw), KINDS[ext], hashlib.sha256(data).hexdigest()


def store(checked, **owner):
    """Add the checked files (``(name, content type, sha256, data)``) to the caller's
    transaction, for one owner: ``application_id=`` or ``certificate_id=``."""
    for name, content_type, digest, data in checked:
        db.session.add(ApplicationAttachment(**owner, file_name=name, content_type=content_type,
                                             size=len(data), sha256=digest, data=data))


def of_owner(**owner):
    return db.session.execute(db.select(ApplicationAttachment).filter_by(**owner)
                              .order_by(ApplicationAttachment.id)).scalars().all()


def owned_or_404(attachment_id, **owner):
    """The attachment when it belongs to that owner; anything else is a 404."""
    row = db.session.get(ApplicationAttachment, attachment_id)
    if row is None or any(getattr(row, k) != v for k, v in owner.items()):
        abort(404)
    return row
