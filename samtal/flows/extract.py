"""Babel extractor: every translatable text of the flow, framework, scale and picture files."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

TRANSLATABLE_KEYS = frozenset({"text", "end_text", "label", "description", "alt", "name"})


def extract_texts(fileobj, keywords, comment_tags, options):
    """Babel extractor: every translatable string of a flow, framework, scale or picture file."""
    raw = fileobj.read()
    source = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    lines = source.splitlines()
    data = tomllib.loads(source)

    def line_of(text: str) -> int:
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        for number, line in enumerate(lines, start=1):
            if f'"{quoted}"' in line:
                return number
        return 1

    def walk(node: Any, context: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            label = str(node["id"]) if isinstance(node.get("id"), str) else context
            for key, value in node.items():
                if key in TRANSLATABLE_KEYS and isinstance(value, str):
                    yield label, value
                else:
                    yield from walk(value, label)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, context)

    for context, text in walk(data, ""):
        comments = [f"{context}"] if context else []
        yield line_of(text), None, text, comments
