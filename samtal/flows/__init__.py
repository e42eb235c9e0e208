"""Flows as data: load, validate and look up the conversation files under samtal/flows/."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLOWS_DIR = Path(__file__).parent
FRAMEWORKS_DIR = FLOWS_DIR / "frameworks"
SCALES_FILE = FLOWS_DIR / "scales.toml"

UNKNOWN = "vet_inte"
DECLINED = "vill_inte_svara"
SKIP_VALUES = (UNKNOWN, DECLINED)
# What a conversation is for: the first conversation, or a follow-up months later that shows
# per area what was said last time (steps with recall = true) and asks how it is now.
PURPOSES = ("first", "followup")

# Which options a kind needs, which always-there answers it offers, where it may stand.
KIND_RULES: dict[str, dict[str, Any]] = {
    "assent": {"options": True, "always": (), "sections": {"intro"}},
    "message": {"options": False, "always": (), "sections": {"intro", "area", "outro"}},
    "rating": {"options": False, "always": SKIP_VALUES, "sections": {"intro", "area", "outro"}},
    "choice": {"options": True, "always": SKIP_VALUES, "sections": {"intro", "area", "outro"}},
    "words": {"options": False, "always": (DECLINED,), "sections": {"intro", "area", "outro"}},
    "choose_area": {"options": False, "always": (UNKNOWN,), "sections": {"intro"}},
    "priorities": {"options": False, "always": (DECLINED,), "sections": {"outro"}},
    "sharing": {"options": False, "always": (DECLINED,), "sections": {"outro"}},
    "review": {"options": False, "always": (), "sections": {"outro"}},
    "goodbye": {"options": False, "always": (), "sections": {"outro"}},
}
TRANSLATABLE_KEYS = frozenset({"text", "end_text", "label", "description", "alt", "name"})
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


class FlowError(ValueError):
    """A flow, framework or scale file that cannot be run; says which file and step."""

    def __init__(self, file: Path | str, message: str, step: str | None = None):
        self.file, self.step, self.message = str(file), step, message
        where = f"{self.file}, steg {step!r}" if step else self.file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Option:
    """One answer a person can give."""

    value: str
    text: str
    picture: str | None = None
    ends_conversation: bool = False


@dataclass(frozen=True)
class Condition:
    """Show a step only when an earlier step's answer is (or is not) among some values."""

    step: str
    in_: frozenset[str] | None = None
    not_in: frozenset[str] | None = None

    def holds(self, value: str | None) -> bool:
        """True when the given answer value satisfies the condition."""
        if value is None:
            return False
        if self.in_ is not None and value not in self.in_:
            return False
        return not (self.not_in is not None and value in self.not_in)


@dataclass(frozen=True)
class Step:
    """One thing the guide says or asks."""

    id: str
    kind: str
    text: str
    section: str
    area: str | None = None
    picture: str | None = None
    options: tuple[Option, ...] = ()
    multiple: bool = False
    max: int | None = None
    when: Condition | None = None
    end_text: str | None = None
    # Follow-up flows: show what was answered in this area last time (rating steps only).
    recall: bool = False
    # A priorities step may offer "none of them" (e.g. "Inget har blivit bättre"): stored as
    # an answer with no areas chosen.
    none: Option | None = None
    # Recorded read-aloud per language: language code -> audio file beside the flow (audio/).
    audio: dict[str, Path] = field(default_factory=dict, compare=False, hash=False)

    @property
    def asks(self) -> bool:
        """True when the step expects an answer to be stored."""
        return self.kind not in ("goodbye",)


@dataclass(frozen=True)
class Area:
    """One area of a framework (e.g. Trygghet in Behovskompassen)."""

    id: str
    label: str
    description: str
    picture: str
    shanarri: str | None = None


@dataclass(frozen=True)
class Framework:
    """A set of wellbeing areas in their order, and the name of the contact role."""

    id: str
    version: int
    name: str
    role: str
    areas: tuple[Area, ...]

    def area(self, area_id: str) -> Area:
        """The area with this id."""
        return next(a for a in self.areas if a.id == area_id)


@dataclass(frozen=True)
class Flow:
    """A whole conversation: intro steps, steps per area, outro steps."""

    id: str
    version: int
    audience: str
    framework: Framework
    ages: tuple[int, int]
    scale: tuple[Option, ...]
    always: dict[str, Option]
    area_order: str
    pictures_required: bool
    intro: tuple[Step, ...]
    area_steps: dict[str, tuple[Step, ...]]
    outro: tuple[Step, ...]
    source: Path
    steps_by_id: dict[str, Step] = field(default_factory=dict)
    purpose: str = "first"

    def all_steps(self) -> Iterator[Step]:
        """Every step in reading order (areas in framework order)."""
        yield from self.intro
        for area in self.framework.areas:
            yield from self.area_steps[area.id]
        yield from self.outro

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None."""
        return self.steps_by_id.get(step_id)

    def options_for(self, step: Step) -> tuple[Option, ...]:
        """The answers a step offers, the always-there ones last."""
        base = self.scale if step.kind == "rating" else step.options
        if step.none is not None:
            base = (*base, step.none)
        return base + tuple(self.always[v] for v in KIND_RULES[step.kind]["always"])

    def choosable_values(self, step: Step) -> set[str]:
        """Every value a condition on this step may refer to."""
        if step.kind in ("priorities", "sharing", "choose_area"):
            return {a.id for a in self.framework.areas} | set(SKIP_VALUES)
        return {o.value for o in self.options_for(step)}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise FlowError(path, f"filen går inte att läsa som TOML: {error}") from error


def _require(data: dict[str, Any], key: str, kind: type, path: Path, step: str | None = None):
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise FlowError(path, f"'{key}' saknas eller har fel typ", step)
    return value


def _option(raw: Any, path: Path, step: str | None) -> Option:
    if not isinstance(raw, dict):
        raise FlowError(
            path, "ett svarsalternativ måste vara en tabell { value = …, text = … }", step
        )
    value = _require(raw, "value", str, path, step)
    if not _ID.match(value):
        raise FlowError(path, f"värdet {value!r} får bara ha a–z, 0–9 och _", step)
    unknown_keys = set(raw) - {"value", "text", "picture", "ends_conversation"}
    if unknown_keys:
        raise FlowError(path, f"okända nycklar i svarsalternativ: {sorted(unknown_keys)}", step)
    return Option(
        value=value,
        text=_require(raw, "text", str, path, step),
        picture=raw.get("picture"),
        ends_conversation=bool(raw.get("ends_conversation", False)),
    )


def load_framework(path: Path) -> Framework:
    """Read and check one framework file."""
    data = _read_toml(path)
    areas = []
    seen: set[str] = set()
    for raw in _require(data, "areas", list, path):
        area_id = _require(raw, "id", str, path)
        if area_id in seen or not _ID.match(area_id):
            raise FlowError(path, f"område {area_id!r} är dubblerat eller har ogiltigt id")
        seen.add(area_id)
        areas.append(
            Area(
                id=area_id,
                label=_require(raw, "label", str, path),
                description=_require(raw, "description", str, path),
                picture=_require(raw, "picture", str, path),
                shanarri=raw.get("shanarri"),
            )
        )
    if not areas:
        raise FlowError(path, "ramverket har inga områden")
    return Framework(
        id=_require(data, "id", str, path),
        version=_require(data, "version", int, path),
        name=_require(data, "name", str, path),
        role=_require(data, "role", str, path),
        areas=tuple(areas),
    )


def load_scales(path: Path) -> tuple[dict[str, tuple[Option, ...]], dict[str, Option]]:
    """Read the scales and the always-there answers."""
    data = _read_toml(path)
    scales = {
        name: tuple(
            _option(o, path, f"scales.{name}") for o in _require(raw, "options", list, path)
        )
        for name, raw in _require(data, "scales", dict, path).items()
    }
    always_raw = _require(data, "always", dict, path)
    always = {}
    for value in SKIP_VALUES:
        if value not in always_raw:
            raise FlowError(path, f"[always] saknar {value!r}")
        always[value] = _option({"value": value, **always_raw[value]}, path, f"always.{value}")
    return scales, always


def _condition(raw: Any, path: Path, step_id: str) -> Condition:
    if not isinstance(raw, dict) or "step" not in raw or not ({"in", "not_in"} & set(raw)):
        raise FlowError(path, '\'when\' ska vara { step = "…", in = ["…"] } eller not_in', step_id)
    values = {k: frozenset(raw[k]) for k in ("in", "not_in") if k in raw}
    return Condition(step=raw["step"], in_=values.get("in"), not_in=values.get("not_in"))


AUDIO_SUFFIXES = {
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
}


def _audio(raw: Any, path: Path, step_id: str) -> dict[str, Path]:
    if not isinstance(raw, dict):
        raise FlowError(path, 'audio ska vara { sv = "fil.mp3", ar = "fil.mp3" }', step_id)
    files = {}
    for language, name in raw.items():
        file = path.parent / "audio" / str(name)
        if file.suffix not in AUDIO_SUFFIXES or not re.match(r"^[a-z]{2,3}$", language):
            raise FlowError(
                path, f"ljudfilen {name!r} ({language}) har fel sort eller språkkod", step_id
            )
        if not file.is_file():
            raise FlowError(path, f"ljudfilen audio/{name} finns inte", step_id)
        files[language] = file
    return files


def _step(raw: Any, section: str, area: str | None, path: Path) -> Step:
    if not isinstance(raw, dict):
        raise FlowError(path, f"ett steg i {section} är inte en tabell")
    step_id = _require(raw, "id", str, path)
    if not _ID.match(step_id):
        raise FlowError(path, "steg-id får bara ha a–z, 0–9, _ och .", step_id)
    kind = _require(raw, "kind", str, path, step_id)
    if kind not in KIND_RULES:
        raise FlowError(
            path, f"okänd sorts steg {kind!r} (finns: {', '.join(KIND_RULES)})", step_id
        )
    rules = KIND_RULES[kind]
    if section not in rules["sections"]:
        raise FlowError(path, f"ett {kind}-steg kan inte stå i {section}", step_id)
    options = tuple(_option(o, path, step_id) for o in raw.get("options", []))
    if rules["options"] and not options:
        raise FlowError(path, f"ett {kind}-steg behöver options", step_id)
    if not rules["options"] and options:
        raise FlowError(path, f"ett {kind}-steg har inga egna options", step_id)
    if len({o.value for o in options}) != len(options):
        raise FlowError(path, "två svarsalternativ har samma value", step_id)
    if any(o.ends_conversation for o in options) and not raw.get("end_text"):
        raise FlowError(path, "ett svar som avslutar samtalet behöver end_text", step_id)
    known = {
        "id",
        "kind",
        "text",
        "picture",
        "options",
        "multiple",
        "max",
        "when",
        "end_text",
        "audio",
        "recall",
        "none",
    }
    if set(raw) - known:
        raise FlowError(path, f"okända nycklar: {sorted(set(raw) - known)}", step_id)
    recall = raw.get("recall", False)
    if not isinstance(recall, bool) or (recall and (kind != "rating" or section != "area")):
        raise FlowError(path, "recall = true passar bara på ett rating-steg i ett område", step_id)
    none = None
    if "none" in raw:
        if kind != "priorities":
            raise FlowError(path, "'none' passar bara på ett priorities-steg", step_id)
        if not isinstance(raw["none"], dict):
            raise FlowError(path, 'none ska vara { text = "…", picture = "…" }', step_id)
        none = _option({"value": "inget", **raw["none"]}, path, step_id)
    maximum = raw.get("max")
    if maximum is not None and (not isinstance(maximum, int) or maximum < 1):
        raise FlowError(path, "'max' ska vara ett heltal större än 0", step_id)
    return Step(
        id=step_id,
        kind=kind,
        text=_require(raw, "text", str, path, step_id),
        section=section,
        area=area,
        picture=raw.get("picture"),
        options=options,
        multiple=bool(raw.get("multiple", False)),
        max=maximum,
        when=_condition(raw["when"], path, step_id) if "when" in raw else None,
        end_text=raw.get("end_text"),
        recall=recall,
        none=none,
        audio=_audio(raw.get("audio", {}), path, step_id),
    )


def load_flow(
    path: Path,
    frameworks: dict[str, Framework],
    scales: dict[str, tuple[Option, ...]],
    always: dict[str, Option],
) -> Flow:
    """Read one flow file and check its structure against its framework and scale."""
    data = _read_toml(path)
    framework_id = _require(data, "framework", str, path)
    if framework_id not in frameworks:
        raise FlowError(path, f"okänt ramverk {framework_id!r}")
    framework = frameworks[framework_id]
    scale_name = _require(data, "scale", str, path)
    if scale_name not in scales:
        raise FlowError(path, f"okänd skala {scale_name!r} (finns: {', '.join(scales)})")
    area_order = data.get("area_order", "fixed")
    if area_order not in ("fixed", "child_chooses"):
        raise FlowError(path, 'area_order ska vara "fixed" eller "child_chooses"')
    ages = _require(data, "ages", list, path)
    if len(ages) != 2 or not all(isinstance(a, int) for a in ages) or ages[0] > ages[1]:
        raise FlowError(path, "ages ska vara [från, till], t.ex. [7, 9]")
    known_keys = {
        "id",
        "version",
        "audience",
        "framework",
        "ages",
        "scale",
        "area_order",
        "pictures_required",
        "purpose",
        "intro",
        "areas",
        "outro",
    }
    if set(data) - known_keys:
        raise FlowError(path, f"okända nycklar: {sorted(set(data) - known_keys)} (stavfel?)")
    audience = _require(data, "audience", str, path)
    if audience not in ("child", "guardian"):
        raise FlowError(path, 'audience ska vara "child" eller "guardian"')
    purpose = data.get("purpose", "first")
    if purpose not in PURPOSES:
        raise FlowError(path, 'purpose ska vara "first" eller "followup"')

    raw_areas = data.get("areas", {})
    if not isinstance(raw_areas, dict):
        raise FlowError(path, "[[areas.<id>]] ska innehålla stegen för varje område")
    framework_ids = [a.id for a in framework.areas]
    for area_id in raw_areas:
        if area_id not in framework_ids:
            raise FlowError(path, f"området {area_id!r} finns inte i ramverket {framework.id!r}")
    for area_id in framework_ids:
        if not raw_areas.get(area_id):
            raise FlowError(
                path, f"området {area_id!r} saknas: varje område behöver minst ett steg"
            )

    flow = Flow(
        id=_require(data, "id", str, path),
        version=_require(data, "version", int, path),
        audience=audience,
        framework=framework,
        ages=(ages[0], ages[1]),
        scale=scales[scale_name],
        always=always,
        area_order=area_order,
        pictures_required=bool(data.get("pictures_required", False)),
        intro=tuple(_step(s, "intro", None, path) for s in data.get("intro", [])),
        area_steps={
            area_id: tuple(_step(s, "area", area_id, path) for s in raw_areas[area_id])
            for area_id in framework_ids
        },
        outro=tuple(_step(s, "outro", None, path) for s in data.get("outro", [])),
        source=path,
        purpose=purpose,
    )
    _check_flow(flow)
    return flow


def _check_flow(flow: Flow) -> None:
    path = flow.source
    seen: dict[str, Step] = {}
    for step in flow.all_steps():
        if step.id in seen:
            raise FlowError(path, "steg-id finns två gånger", step.id)
        if step.recall and flow.purpose != "followup":
            raise FlowError(
                path, 'recall = true passar bara i ett flöde med purpose = "followup"', step.id
            )
        if step.when is not None:
            target = seen.get(step.when.step)
            if target is None:
                raise FlowError(
                    path,
                    f"villkoret pekar på {step.when.step!r}, som inte finns före steget",
                    step.id,
                )
            mentioned = (step.when.in_ or frozenset()) | (step.when.not_in or frozenset())
            unknown = mentioned - flow.choosable_values(target)
            if unknown:
                raise FlowError(
                    path,
                    f"villkoret nämner värden som {target.id!r} inte har: {sorted(unknown)}",
                    step.id,
                )
        if flow.pictures_required:
            if not step.picture and step.kind not in ("review",):
                raise FlowError(path, "pictures_required: steget saknar picture", step.id)
            if any(not o.picture for o in flow.options_for(step)):
                raise FlowError(
                    path, "pictures_required: ett svarsalternativ saknar picture", step.id
                )
        seen[step.id] = step
    flow.steps_by_id.update(seen)
    kinds = [s.kind for s in flow.all_steps()]
    choose = kinds.count("choose_area")
    if flow.area_order == "child_chooses" and choose != 1:
        raise FlowError(
            path, 'area_order = "child_chooses" behöver exakt ett choose_area-steg i intro'
        )
    if flow.area_order == "fixed" and choose:
        raise FlowError(path, 'choose_area passar bara med area_order = "child_chooses"')
    if kinds.count("review") != 1:
        raise FlowError(path, "ett samtal behöver exakt ett review-steg i outro")
    if not flow.outro or flow.outro[-1].kind != "goodbye":
        raise FlowError(path, "sista steget i outro ska vara ett goodbye-steg")


def pictures_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """Every (step id, picture id) a flow refers to, including its framework's areas."""
    for step in flow.all_steps():
        if step.picture:
            yield step.id, step.picture
        for option in flow.options_for(step):
            if option.picture:
                yield step.id, option.picture
    for area in flow.framework.areas:
        yield f"area {area.id}", area.picture


def texts_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """Every (step id, translatable text) a flow shows, including framework and scale texts."""
    for step in flow.all_steps():
        yield step.id, step.text
        if step.end_text:
            yield step.id, step.end_text
        for option in flow.options_for(step):
            yield step.id, option.text
    for area in flow.framework.areas:
        yield f"area {area.id}", area.label
        yield f"area {area.id}", area.description


@dataclass
class FlowLibrary:
    """Every framework and flow the app can run, checked as a whole."""

    frameworks: dict[str, Framework]
    flows: dict[str, Flow]

    def get(self, flow_id: str) -> Flow | None:
        """The flow with this id, or None."""
        return self.flows.get(flow_id)

    def for_age(self, age: int, audience: str = "child", purpose: str = "first") -> Flow | None:
        """The flow for this purpose whose age band covers this age."""
        for flow in sorted(self.flows.values(), key=lambda f: f.ages):
            if (
                flow.audience == audience
                and flow.purpose == purpose
                and flow.ages[0] <= age <= flow.ages[1]
            ):
                return flow
        return None

    def for_audience(
        self, audience: str, framework_id: str | None = None, purpose: str | None = "first"
    ) -> list[Flow]:
        """Flows for an audience and purpose (None: any purpose), youngest first."""
        return sorted(
            (
                f
                for f in self.flows.values()
                if f.audience == audience
                and framework_id in (None, f.framework.id)
                and purpose in (None, f.purpose)
            ),
            key=lambda f: f.ages,
        )


def load_library(
    directories: Iterable[Path],
    known_pictures: set[str] | None = None,
    translation_template: Path | None = None,
) -> FlowLibrary:
    """Load every framework and flow in the directories; check pictures and the .pot too."""
    directories = list(directories)
    frameworks: dict[str, Framework] = {}
    for directory in directories:
        for path in sorted((directory / "frameworks").glob("*.toml")):
            framework = load_framework(path)
            if framework.id in frameworks:
                raise FlowError(path, f"ramverket {framework.id!r} finns redan")
            frameworks[framework.id] = framework
    scales, always = load_scales(SCALES_FILE)
    flows: dict[str, Flow] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.toml")):
            if path.name == SCALES_FILE.name:
                continue
            flow = load_flow(path, frameworks, scales, always)
            if flow.id in flows:
                raise FlowError(path, f"flödet {flow.id!r} finns redan i {flows[flow.id].source}")
            flows[flow.id] = flow
    if known_pictures is not None:
        for flow in flows.values():
            for step_id, picture in pictures_used(flow):
                if picture not in known_pictures:
                    raise FlowError(flow.source, f"okänd bild {picture!r}", step_id)
    if translation_template is not None and translation_template.exists():
        template_ids = _template_ids(translation_template)
        for flow in flows.values():
            for step_id, text in texts_used(flow):
                if text not in template_ids:
                    raise FlowError(
                        flow.source,
                        f"texten {text!r} saknas i översättningsmallen "
                        f"{translation_template.name}; "
                        "kör '.venv/bin/python -m samtal.translations update'",
                        step_id,
                    )
    return FlowLibrary(frameworks=frameworks, flows=flows)


def _template_ids(path: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


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
