"""Stored text composed from other text (a copy's name, a history line naming a file) kept
within its column: the composed-in part gives way, our own words around it stay whole."""

import os

ELLIPSIS = "…"


def fit(text: str, max_length: int, *, before: str = "", after: str = "") -> str:
    """``before + text + after`` in at most ``max_length`` characters: when that is too long,
    the end of ``text`` is cut and marked with 「…」. ``before`` and ``after`` are ours and
    short, e.g. fit(name, 100, after="（2026.2で再確認）")."""
    room = max_length - len(before) - len(after)
    if room < 1:
        raise ValueError(f"{before!r} and {after!r} leave no room in {max_length} characters")
    if len(text) > room:
        text = text[: room - 1] + ELLIPSIS
    return f"{before}{text}{after}"


def fit_file_name(name: str, max_length: int) -> str:
    """A file name within ``max_length`` characters, its extension kept (見積り….pdf) unless
    the extension itself is most of it."""
    stem, suffix = os.path.splitext(name)
    if len(suffix) > max_length // 2:
        stem, suffix = name, ""
    return fit(stem, max_length, after=suffix)
