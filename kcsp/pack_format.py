"""The simple formatting of the pack's texts (kcsp.pack_texts), read without anything else.

Paragraphs are separated by a blank line and lines starting with ``- `` are bullet points; nothing
else is interpreted, so a text is shown as the text it is. Pages and components read it from here
(it needs no store).
"""

from __future__ import annotations

import re

BULLET = "- "


def _group_blocks(group: str) -> list[tuple[str, ...]]:
    """The paragraphs and bullet lists of one group of lines (no blank line inside)."""
    out: list[tuple[str, ...]] = []
    lines: list[str] = []
    items: list[str] = []
    for raw in group.split("\n"):
        line = raw.strip()
        if line.startswith(BULLET) or line == BULLET.strip():
            if lines:
                out.append(("p", " ".join(lines)))
                lines = []
            items.append(line[1:].strip())
        elif items and raw[:1] in (" ", "\t") and line:
            items[-1] = f"{items[-1]} {line}".strip()
        elif line:
            if any(items):
                out.append(("ul", *[item for item in items if item]))
            items = []
            lines.append(line)
    if lines:
        out.append(("p", " ".join(lines)))
    if any(items):
        out.append(("ul", *[item for item in items if item]))
    return out


def blocks(body: str | None) -> list[tuple[str, ...]]:
    """The simple formatting of a text: ``("p", text)`` for a paragraph, ``("ul", item, ...)`` for a
    bullet list.

    Paragraphs are separated by blank lines, and the lines of one paragraph are joined by spaces. A
    line starting with ``- `` is a bullet point; an indented line after it continues it. Nothing else
    is interpreted: any other character is text.
    """
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    return [block for group in re.split(r"\n[ \t]*\n", text) for block in _group_blocks(group)]


def reference_lines(references: str | None) -> list[str]:
    """The references, one per line, without blank lines."""
    if not isinstance(references, str):
        return []
    return [line.strip() for line in references.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
