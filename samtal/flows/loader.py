"""Loading flows: read and check the conversation files, and build the library of them all."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from samtal.flows.kinds import KINDS, ROLES, SKIP_VALUES
from samtal.flows.model import (
    PURPOSES,
    STYLES,
    Area,
    Condition,
    Flow,
    FlowError,
    FlowLibrary,
    Framework,
    Option,
    Step,
)

FLOWS_DIR = Path(__file__).parent
FRAMEWORKS_DIR = FLOWS_DIR / "frameworks"
SCALES_FILE = FLOWS_DIR / "scales.toml"
# Earlier versions of a folder's flows, one file each (<name>.v<version>.toml): loaded and
# checked like the others so conversations run under them still open, never offered anew.
RETIRED = "retired"


# The summary, the wheel, the JSON export and the caseload are made for this many areas.
MIN_AREAS, MAX_AREAS = 3, 12
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


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
    if not MIN_AREAS <= len(areas) <= MAX_AREAS:
        raise FlowError(
            path,
            f"ett ramverk ska ha mellan {MIN_AREAS} och {MAX_AREAS} områden; "
            f"det här har {len(areas)}",
        )
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


def home_folder(path: Path) -> Path:
    """The folder a flow file belongs to (its audio/ and i18n/ are there): the file's own, or
    for a retired version the folder above retired/."""
    return path.parent.parent if path.parent.name == RETIRED else path.parent


def _audio(raw: Any, path: Path, step_id: str) -> dict[str, Path]:
    if not isinstance(raw, dict):
        raise FlowError(path, 'audio ska vara { sv = "fil.mp3", ar = "fil.mp3" }', step_id)
    files = {}
    for language, name in raw.items():
        file = home_folder(path) / "audio" / str(name)
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
    if kind not in KINDS:
        raise FlowError(path, f"okänd sorts steg {kind!r} (finns: {', '.join(KINDS)})", step_id)
    rules = KINDS[kind]
    if section not in rules.sections:
        raise FlowError(path, f"ett {kind}-steg kan inte stå i {section}", step_id)
    options = tuple(_option(o, path, step_id) for o in raw.get("options", []))
    if rules.own_options and not options:
        raise FlowError(path, f"ett {kind}-steg behöver options", step_id)
    if not rules.own_options and options:
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
        "summary",
        "adult_opens",
    }
    if set(raw) - known:
        raise FlowError(path, f"okända nycklar: {sorted(set(raw) - known)}", step_id)
    recall = raw.get("recall", False)
    if not isinstance(recall, bool) or (recall and (kind != "rating" or section != "area")):
        raise FlowError(path, "recall = true passar bara på ett rating-steg i ett område", step_id)
    adult_opens = raw.get("adult_opens", False)
    if not isinstance(adult_opens, bool) or (
        adult_opens and (kind != "words" or section != "area")
    ):
        raise FlowError(
            path, "adult_opens = true passar bara på ett words-steg i ett område", step_id
        )
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
        summary=_summary_role(raw.get("summary"), kind, section, path, step_id),
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
        adult_opens=adult_opens,
        audio=_audio(raw.get("audio", {}), path, step_id),
    )


def _summary_role(role: Any, kind: str, section: str, path: Path, step_id: str) -> str | None:
    """The step's summary role, checked against the kinds' registry; messages in plain Swedish."""
    allowed = KINDS[kind].roles
    if not allowed:
        if role is not None:
            raise FlowError(
                path,
                f"ett {kind}-steg lämnar inget svar till sammanställningen; "
                f"ta bort raden summary = {role!r}",
                step_id,
            )
        return None
    choices = ", ".join(f'"{name}" ({ROLES[name].meaning})' for name in allowed)
    if role is None:
        raise FlowError(
            path,
            "steget säger inte vad svaret är i sammanställningen; "
            f"lägg till en rad summary = … med ett av: {choices}",
            step_id,
        )
    if role not in allowed:
        raise FlowError(
            path, f"summary = {role!r} passar inte ett {kind}-steg; välj ett av: {choices}", step_id
        )
    if section not in ROLES[role].sections:
        where = {"area": "ett område", "intro": "början", "outro": "slutet"}
        places = " eller ".join(where[s] for s in sorted(ROLES[role].sections))
        raise FlowError(
            path, f"summary = {role!r} hör till {places}, inte till {where[section]}", step_id
        )
    return str(role)


def _check_roles(flow: Flow) -> None:
    """A role meant once per area (or per flow) named twice would make the summary guess."""
    groups = [flow.intro + flow.outro, *flow.area_steps.values()]
    for steps in groups:
        taken: dict[str, str] = {}
        for step in steps:
            role = step.summary
            if role is None or not ROLES[role].once:
                continue
            if role in taken:
                where = f"i området {step.area!r}" if step.area else "i samtalet"
                raise FlowError(
                    flow.source,
                    f"summary = {role!r} ({ROLES[role].meaning}) finns redan {where}, "
                    f"i steget {taken[role]!r}; bara ett steg får ha den rollen",
                    step.id,
                )
            taken[role] = step.id


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
        "style",
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
    style = data.get("style", "standard")
    if style not in STYLES:
        raise FlowError(path, 'style ska vara "young", "standard" eller "teen"')

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
        style=style,
        retired=path.parent.name == RETIRED,
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
    _check_roles(flow)
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


def _with_packs(directories: Iterable[Path]) -> Iterator[Path]:
    """Each directory, then its framework packs: subfolders with a frameworks/ folder of their
    own (a wheel with its flows, e.g. barnets_basta/), loaded after the directory's files."""
    for directory in directories:
        yield directory
        for pack in sorted(directory.iterdir()) if directory.is_dir() else ():
            if (pack / "frameworks").is_dir():
                yield pack


def load_library(
    directories: Iterable[Path],
    known_pictures: set[str] | None = None,
    translation_template: Path | None = None,
) -> FlowLibrary:
    """Load every framework and flow in the directories; check pictures and the .pot too."""
    directories = list(_with_packs(directories))
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
    retired: dict[tuple[str, int], Flow] = {}
    for directory in directories:
        for path in sorted((directory / RETIRED).glob("*.toml")):
            flow = load_flow(path, frameworks, scales, always)
            _check_retired(flow, flows.get(flow.id), retired.get((flow.id, flow.version)))
            retired[(flow.id, flow.version)] = flow
    library = FlowLibrary(frameworks=frameworks, flows=flows, retired=retired)
    if known_pictures is not None:
        for flow in library.every_version():
            for step_id, picture in pictures_used(flow):
                if picture not in known_pictures:
                    raise FlowError(flow.source, f"okänd bild {picture!r}", step_id)
    if translation_template is not None and translation_template.exists():
        template_ids = _template_ids(translation_template)
        for flow in library.every_version():
            # A wheel of one's own may keep its texts in its own catalogs (i18n/ beside it).
            own = own_catalogs(flow)
            known = template_ids | (_template_ids(own / "messages.pot") if own else set())
            for step_id, text in texts_used(flow):
                if text not in known:
                    raise FlowError(
                        flow.source,
                        f"texten {text!r} saknas i översättningsmallen "
                        f"{translation_template.name}; "
                        "kör '.venv/bin/python -m samtal.tools.translations update'",
                        step_id,
                    )
    return library


def _check_retired(flow: Flow, current: Flow | None, same: Flow | None) -> None:
    """A retired file is found by its flow's id and version: both must be unambiguous."""
    path = flow.source
    if not path.name.endswith(f".v{flow.version}.toml"):
        raise FlowError(
            path,
            f"en tidigare version ska heta efter sin version: <namn>.v{flow.version}.toml "
            f"(filen säger version = {flow.version})",
        )
    if same is not None:
        raise FlowError(path, f"version {flow.version} av {flow.id!r} finns redan i {same.source}")
    if current is not None and flow.version >= current.version:
        raise FlowError(
            path,
            f"en tidigare version ska ha lägre version än den som används nu "
            f"({current.source}, version = {current.version})",
        )


def own_catalogs(flow: Flow) -> Path | None:
    """The folder of a flow's own catalogs (i18n/ beside the flow file, with its messages.pot)."""
    folder = home_folder(flow.source) / "i18n"
    return folder if (folder / "messages.pot").is_file() else None


def _template_ids(path: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}
