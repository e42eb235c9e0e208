"""Plain-language measures for Swedish text (LIX, läsbarhetsindex)."""

import re

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:]+")


def words(text: str) -> list[str]:
    """Return the words of a text."""
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Count sentences: runs of . ! ? : and a final sentence without a full stop."""
    parts = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(parts))


def lix(text: str) -> float:
    """LIX = words/sentences + 100 × words longer than six letters / words (0 for no words)."""
    found = words(text)
    if not found:
        return 0.0
    long_words = sum(1 for w in found if len(w) > 6)
    return len(found) / sentence_count(text) + 100 * long_words / len(found)
