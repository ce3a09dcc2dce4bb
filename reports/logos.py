"""What an edition's logo file is, read from its first bytes (never from its name)."""

import re

LOGO_MAX_BYTES = 1024 * 1024  # the upload form's limit (editions.models.Edition.logo)

_SVG_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]", re.S
)


def logo_content_type(data: bytes) -> str | None:
    """image/png, image/jpeg or image/svg+xml; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if _SVG_START.match(head):
        return "image/svg+xml"
    return None
