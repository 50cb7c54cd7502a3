"""Words for actions: one renderer for the what-if menu, the report timeline and the captions.

A *wording* is a table of templates, one per kind of action (``navigate``,
``navigate_feeder``, ``select_agent``, ``inject``, ``set_injection``, ``stop_injection``,
``contrast``, ``start_contrast``, ``wait``, ``finish``, ``next_visit``, ``coil``, ``decline``)
plus optional fragments for an agent's ``size``, ``activity`` (Y-90, GBq), ``mbq`` (MAA),
``doxorubicin`` and ``route`` (left out when the action does not set them). The numbers and
their defaults always come from the typed action (:mod:`sim.actions`) through :func:`describe`;
a wording only says how to put them. The English wordings are here; the kiosk's translations
(:mod:`sim.app.kiosk.i18n`) use the same keys and placeholders:

``{target}`` the raw target, ``{vessel}`` its readable name, ``{tumor}`` the tumour of a
``feeder:`` target, ``{agent}`` the agent's name, ``{agent_id}``, ``{lo}``/``{hi}`` the size
range (µm), ``{activity_gbq}``, ``{activity_mbq}``, ``{doxorubicin_mg_ml}``, ``{route}``
(Lu-177: ``ia`` or ``iv``), ``{volume}`` (mL), ``{rate}`` (mL/min, mL/s for contrast),
``{seconds}``, ``{reason}`` (a decline's, in words).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sim.actions import (
    DECLINE_REASON_TEXT,
    Coil,
    Contrast,
    Decline,
    Finish,
    Inject,
    Navigate,
    NextVisit,
    SelectAgent,
    SetInjection,
    StartContrast,
    Wait,
)
from sim.agents import AGENTS

Wording = Mapping[str, str]

MENU: Wording = {  # the what-if chooser: short imperative lines
    "navigate": "catheter to {vessel}",
    "navigate_feeder": "catheter to the feeder of {tumor}",
    "select_agent": "agent: {agent}{size}",
    "size": " {lo}–{hi} µm",
    "inject": "inject {volume} mL at {rate} mL/min",
    "set_injection": "start injecting at {rate} mL/min",
    "stop_injection": "stop injecting",
    "contrast": "contrast {volume} mL",
    "start_contrast": "contrast {volume} mL",
    "wait": "wait {seconds} s",
    "finish": "finish",
    "next_visit": "end this visit, go to the next",
    "coil": "coil the vessel at the tip",
    "decline": "decline the treatment ({reason})",
}

DONE: Wording = {  # the report's timeline: what the trainee did, in the past tense
    "select_agent": "{agent} prepared{size}{activity}{mbq}{doxorubicin}{route_part}",
    "size": ", {lo}–{hi} µm",
    "activity": ", {activity_gbq} GBq",
    "mbq": ", {activity_mbq} MBq",
    "route_part": ", route {route}",
    "doxorubicin": ", doxorubicin {doxorubicin_mg_ml} mg/mL",
    "inject": "injected {volume} mL at {rate} mL/min",
    "set_injection": "hand injection started at {rate} mL/min",
    "stop_injection": "injection stopped",
    "wait": "waited {seconds} s without injecting",
    "next_visit": "visit ended; the next visit began",
    "coil": "coils deployed at the tip",
    "decline": "treatment declined ({reason})",
}

CAPTION: Wording = {  # demos and playback: what an expert says while doing it
    "navigate": "Advance the microcatheter into {target}",
    "navigate_feeder": "Advance the microcatheter to the vessel feeding {tumor}",
    "select_agent": "Prepare {agent}{size}{activity}{route_part}",
    "size": " {lo}–{hi} µm",
    "activity": ", {activity_gbq} GBq",
    "route_part": " ({route})",
    "inject": "Inject {volume} mL slowly at {rate} mL/min — watch the flow",
    "contrast": "Contrast run: {volume} mL — look for the tumour blush and any reflux",
    "wait": "Wait {seconds} s",
    "finish": "Finish: the debrief explains the result",
    "next_visit": "End this visit: coils and the measured shunt carry into the next",
    "coil": "Deploy coils: the vessel is closed for good, flow goes elsewhere",
    "decline": "Decline the treatment: {reason}",
}


_FRAGMENTS = {
    "size": "lo",
    "activity": "activity_gbq",
    "mbq": "activity_mbq",
    "doxorubicin": "doxorubicin_mg_ml",
    "route_part": "route",
}


def _g(x: float) -> str:
    return f"{x:g}"


def _agent_name(agent: str) -> str:
    return AGENTS[agent].name


def _same(name: str) -> str:
    return name


def describe(
    action,
    wording: Wording,
    *,
    num: Callable[[float], str] = _g,
    agent_name: Callable[[str], str] = _agent_name,
    vessel_name: Callable[[str], str] = _same,
) -> str:
    """``action`` in ``wording``; ``""`` when the wording has nothing for its kind.

    Parameters
    ----------
    action : sim.actions.Action
    wording : mapping of str to str
        Templates per kind (see the module docstring).
    num : callable
        Formats a number (default ``f"{x:g}"``; the kiosk uses its decimal comma).
    agent_name, vessel_name : callable
        Readable names of an agent id and a vessel name (defaults: the catalogue's English name;
        the name as given).
    """
    key, values = _key_values(action, num)
    if key not in wording:
        return ""
    if isinstance(action, Navigate):
        values["vessel"] = vessel_name(action.target)
    if isinstance(action, SelectAgent):
        values["agent"] = agent_name(action.agent)
        for part, number in _FRAGMENTS.items():
            present = number in values and part in wording
            values[part] = wording[part].format(**values) if present else ""
    return wording[key].format(**values)


def _key_values(action, num: Callable[[float], str]) -> tuple[str, dict[str, str]]:
    """Which template an action takes and its numbers, formatted (only those it sets)."""
    if isinstance(action, Navigate):
        target = action.target
        if target.startswith("feeder:"):
            return "navigate_feeder", {"target": target, "tumor": target.removeprefix("feeder:")}
        if action.beyond:
            target = f"{target} past the {action.beyond} origin"
        return "navigate", {"target": target}
    if isinstance(action, SelectAgent):
        v = {"agent_id": action.agent}
        if action.size_um:
            v.update(lo=num(action.size_um[0]), hi=num(action.size_um[1]))
        if action.activity_gbq:
            v["activity_gbq"] = num(action.activity_gbq)
        if action.activity_mbq:
            v["activity_mbq"] = num(action.activity_mbq)
        if action.doxorubicin_mg_ml:
            v["doxorubicin_mg_ml"] = num(action.doxorubicin_mg_ml)
        if action.route:
            v["route"] = action.route.upper()
        return "select_agent", v
    if isinstance(action, Inject):
        return "inject", {"volume": num(action.volume_ml), "rate": num(action.rate_ml_min)}
    if isinstance(action, SetInjection):
        key = "set_injection" if action.rate_ml_min > 0 else "stop_injection"
        return key, {"rate": num(action.rate_ml_min)}
    if isinstance(action, Contrast | StartContrast):
        return action.kind, {"volume": num(action.volume_ml), "rate": num(action.rate_ml_s)}
    if isinstance(action, Wait):
        return "wait", {"seconds": num(action.seconds)}
    if isinstance(action, Finish):
        return "finish", {}
    if isinstance(action, NextVisit):
        return "next_visit", {}
    if isinstance(action, Coil):
        return "coil", {}
    if isinstance(action, Decline):
        return "decline", {"reason": DECLINE_REASON_TEXT[action.reason]}
    raise TypeError(f"not an action: {action!r}")
