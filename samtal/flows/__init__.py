"""Flows as data: conversations are TOML files under samtal/flows/ (see README.md there).

model: the shapes a loaded flow takes · kinds: the one registry of step kinds · loader: read,
check and gather the files · extract: their texts for the translation catalogs.
"""

from samtal.flows.kinds import (
    DECLINED,
    KINDS,
    OPENED,
    SILENT,
    SKIP_VALUES,
    SKIPPED,
    UNKNOWN,
    StepKind,
)
from samtal.flows.loader import (
    AUDIO_SUFFIXES,
    FLOWS_DIR,
    load_flow,
    load_framework,
    load_library,
    pictures_used,
    texts_used,
)
from samtal.flows.model import (
    PURPOSES,
    Area,
    Condition,
    Flow,
    FlowError,
    FlowLibrary,
    Framework,
    Option,
    Step,
)

__all__ = [
    "AUDIO_SUFFIXES",
    "DECLINED",
    "FLOWS_DIR",
    "KINDS",
    "PURPOSES",
    "OPENED",
    "SILENT",
    "SKIP_VALUES",
    "SKIPPED",
    "UNKNOWN",
    "Area",
    "Condition",
    "Flow",
    "FlowError",
    "FlowLibrary",
    "Framework",
    "Option",
    "Step",
    "StepKind",
    "load_flow",
    "load_framework",
    "load_library",
    "pictures_used",
    "texts_used",
]
