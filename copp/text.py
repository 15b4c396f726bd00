"""Plain-text helpers shared by forms and templates (no Django models here)."""

from __future__ import annotations

ELLIPSIS = "…"
# Punctuation left dangling before the ellipsis reads badly: «работы, …».
_TRAILING = " \t\n,;:.-–—(«\"'/"


def truncate_words_at(text: str | None, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ellipsis included, at a word boundary.

    Text that fits is returned as it is. Otherwise the last whole word that fits
    ends the result, followed by «…»; a first word longer than the limit on its
    own is the only case cut inside a word (there is no boundary to cut at).
    """
    text = " ".join((text or "").split())
    if limit < 2 or len(text) <= limit:
        return text if len(text) <= limit else text[:limit]
    room = limit - len(ELLIPSIS)
    head = text[: room + 1]  # one more: is the character after the room a space?
    if head[-1] == " ":
        cut = head[:-1]
    else:
        cut = head[:room]
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    cut = cut.rstrip(_TRAILING) or text[:room]
    return cut + ELLIPSIS


def search_key(text: str | None) -> str:
    """``text`` as the choice search stores and compares it: case-folded, «ё» as «е»,
    runs of white space as one space.

    SQLite's LIKE folds only ASCII letters and PostgreSQL's ``lower()`` depends
    on the database's locale, so Cyrillic matching is done on a column holding
    this key (``search_text``) and a query folded the same way, identical on
    both databases.
    """
    return " ".join((text or "").casefold().replace("ё", "е").split())
