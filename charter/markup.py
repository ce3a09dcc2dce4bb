"""A small, safe markup for charter texts (a Markdown subset), rendered by our own converter.

Supported: headings (`## Titre`, levels 2 to 4), paragraphs separated by a blank line, bulleted
lists (`- item`), numbered lists (`1. item`), links `[texte](https://…)` (http, https and mailto
only), `**bold**` and `*italic*`. Everything is HTML-escaped first, so no markup written by staff
can inject HTML or script; an unsupported link scheme stays as plain text.
"""

import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

HEADING = re.compile(r"^(#{1,4})\s+(.+)$")
BULLET = re.compile(r"^[-*]\s+(.+)$")
NUMBERED = re.compile(r"^\d+[.)]\s+(.+)$")
LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s()\"'<>]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def _inline(text: str) -> str:
    text = escape(text, quote=True)
    text = LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = BOLD.sub(r"<strong>\1</strong>", text)
    return ITALIC.sub(r"<em>\1</em>", text)


def render(source: str) -> SafeString:
    """The HTML of a charter text (escaped, then the supported markup applied)."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def close_paragraph():
        if paragraph:
            out.append("<p>" + " ".join(_inline(part) for part in paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in (source or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close_paragraph()
            close_list()
            continue
        if heading := HEADING.match(line):
            close_paragraph()
            close_list()
            level = min(max(len(heading.group(1)), 2), 4)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            continue
        item = BULLET.match(line)
        tag = "ul" if item else None
        if item is None and (item := NUMBERED.match(line)):
            tag = "ol"
        if item:
            close_paragraph()
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            out.append(f"<li>{_inline(item.group(1))}</li>")
            continue
        close_list()
        paragraph.append(line)
    close_paragraph()
    close_list()
    return mark_safe("\n".join(out))  # noqa: S308 - every text part went through escape()
