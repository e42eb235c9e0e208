"""How a flow is named for adults: who it is for, the age band, first or follow-up."""

from __future__ import annotations

from flask_babel import gettext as _

from samtal import library
from samtal.flows import Flow
from samtal.i18n import age_band
from samtal.models import Conversation


def flow_label(flow: Flow) -> str:
    """A flow for adults choosing one: who it is for, the age band, first or follow-up."""
    band = age_band(flow)
    is_followup = getattr(flow, "purpose", "first") == "followup"
    if flow.audience == "guardian":
        return _("Vårdnadshavare, uppföljning") if is_followup else _("Vårdnadshavare")
    return _("%(band)s, uppföljning", band=band) if is_followup else band


def flow_name(conversation: Conversation) -> str:
    """A stored conversation's flow in words (its id if the flow is no longer there)."""
    flow = library.flows().of(conversation)
    return flow_label(flow) if flow else conversation.flow_id
