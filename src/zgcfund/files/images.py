"""Uploaded images: decoded in full with Pillow to refuse damaged ones, and a small thumbnail for
the evidence lists."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from zgcfund.files.types import EvidenceRejected, FileType

THUMBNAIL_SIZE = (320, 320)
MAX_DECODED_PIXELS = 50_000_000  # PNG/GIF/WebP are decoded in full to check them: bound the memory


def check_and_thumbnail(f, ftype: FileType, name: str) -> tuple[bytes, str]:
    """Decode the whole image (a corrupt or truncated one is refused); a thumbnail of at most
    320 px as (bytes, extension): PNG when the image has transparency, else JPEG."""
    try:
        f.seek(0)
        with Image.open(f) as img:
            if img.format != ftype.pil_format:
                raise ValueError(img.format)
            img.verify()
        f.seek(0)
        with Image.open(f) as img:
            if img.format != "JPEG" and img.width * img.height > MAX_DECODED_PIXELS:  # JPEG decodes scaled down
                raise Image.DecompressionBombError(img.size)
            img.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            img.load()
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail(THUMBNAIL_SIZE)
            alpha = thumb.mode in ("RGBA", "LA", "PA") or (thumb.mode == "P" and "transparency" in thumb.info)
            out = io.BytesIO()
            if alpha:
                thumb.convert("RGBA").save(out, "PNG", optimize=True)
                ext = ".png"
            else:
                thumb.convert("RGB").save(out, "JPEG", quality=82)
                ext = ".jpg"
    except Image.DecompressionBombError:
        raise EvidenceRejected(_("图片“%(name)s”像素过多，无法处理，请缩小后上传。") % {"name": name}) from None
    except Exception:  # Pillow reports damaged data with many exception types
        raise EvidenceRejected(_("图片“%(name)s”已损坏或不完整，无法打开，请重新导出后上传。") % {"name": name}) from None
    finally:
        f.seek(0)
    return out.getvalue(), ext
