"""De-identified consultation ("konsultation avidentifierat"), before any consent exists.

The summary without the child's name, birth date or dates of the conversations, unit, home
languages, the barnkontakt's and the guardians' names, ids and consent, and without any free
text the barnkontakt has not approved item by item. A free text that contains a name the
service knows (the child's, a guardian's, a staff member's, a unit's) or a word that looks
like a name is flagged for review; approving it is the barnkontakt's decision.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# A capitalised word not at the start of a sentence: often a name ("… när Ali kom hem").
_INNER_CAPITAL = re.compile(r"(?<=[\w,;]\s)[A-ZÅÄÖÜÉ][a-zåäöüé]+")


@dataclass(frozen=True)
class FreeText:
    """One free text in a summary, by its path, with whether it may hold a name."""

    key: str
    where: str  # for people: which part of the summary
    text: str
    flagged: bool


def _is_free_text(path: tuple[str, ...], key: str, value: Any) -> bool:
    """A note or translation, an analysis or evaluation answer, or a decision's text."""
    if not isinstance(value, str):
        return False
    where = path[-1:]
    return (
        key in ("note", "translation")
        or where == ("analysis",)
        or path == ("evaluation", "questions")
        or (where in (("decision",), ("support",)) and key == "text")
    )


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every free text: notes, translations, own words, the analysis and the decision."""
    if isinstance(node, Mapping):
        if node.get("own_words") and isinstance(node.get("text"), str):
            yield path + ("text",), node["text"]
        for key, value in node.items():
            if not path and key == "safety":
                continue  # safety notes never leave, approved or not
            if _is_free_text(path, str(key), value):
                yield path + (str(key),), value
            else:
                yield from _walk(value, path + (str(key),))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, path + (str(index),))


def _names_in(text: str, names: Collection[str]) -> bool:
    words = {w.casefold() for name in names for w in re.findall(r"\w{2,}", name)}
    return any(w.casefold() in words for w in re.findall(r"\w{2,}", text))


def free_texts(summary: Mapping[str, Any], names: Collection[str]) -> list[FreeText]:
    """Every non-empty free text of the summary, flagged when it may hold a name."""
    found = []
    for path, text in _walk(summary, ()):
        if not text.strip():
            continue
        flagged = _names_in(text, names) or bool(_INNER_CAPITAL.search(text))
        found.append(FreeText("/".join(path), " › ".join(path[:2]), text, flagged))
    return found


def _set(node: Any, path: list[str], value: Any) -> None:
    for step in path[:-1]:
        node = node[int(step)] if isinstance(node, list) else node[step]
    node[path[-1]] = value


def _without_empty_words(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_empty_words(v) for k, v in node.items()}
    if isinstance(node, list):
        return [
            _without_empty_words(v)
            for v in node
            if not (isinstance(v, dict) and v.get("own_words") and not v.get("text"))
        ]
    return node


def _undated(node: Any) -> None:
    """Clear the day of every round (when answers were given dates the conversations)."""
    if isinstance(node, dict):
        if isinstance(node.get("round"), dict):
            node["round"]["date"] = None
        for value in node.values():
            _undated(value)
    elif isinstance(node, list):
        for value in node:
            _undated(value)


def deidentify(summary: Mapping[str, Any], approved: Collection[str]) -> dict[str, Any]:
    """The summary with nothing that identifies the child, and only approved free text."""
    shown: dict[str, Any] = copy.deepcopy(dict(summary))
    for path, _text in list(_walk(shown, ())):
        if "/".join(path) not in approved:
            _set(shown, list(path), "")
    shown = _without_empty_words(shown)
    header = shown["header"]
    header.update(
        child_id=None,
        child_name="",
        home_languages=None,
        barnkontakt="",
        conversation_id=None,
        conversation_started=None,
        conversation_finished=None,
        consent=[],
    )
    for number, guardian in enumerate(shown.get("guardians", []), start=1):
        guardian.update(id=number, name="", finished=None)
    order = {g["id"]: n for n, g in enumerate(summary.get("guardians", []), start=1)}
    for area in shown.get("areas", []):
        for view in area.get("guardians", []):
            view.update(guardian_id=order.get(view.get("guardian_id")), name="")
    _undated(shown)
    shown["safety"] = []
    shown["shared"] = True
    return shown
