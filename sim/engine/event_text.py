"""The record wording of engine events: the English ``detail`` of ``{"t", "kind", "detail"}``.

This is the one place the words of :mod:`sim.engine.events` are written, for records, reports
and ``run --json`` (whose output must not change). Screens word events themselves from the
typed fields where they need another wording or language (the kiosk through
:mod:`sim.app.kiosk.i18n`).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.actions import DECLINE_REASON_TEXT
from sim.flow.territory import COMPLICATION
from sim.labels import label


def _navigate(e) -> str:
    return f"tip in {e.vessel} ({' › '.join(e.path)})"


def _wedge(e) -> str:
    if e.wedged:
        return f"catheter wedged in {e.vessel} ({e.diameter_mm:.2f} mm): antegrade flow stops"
    return f"tight fit in {e.vessel} ({e.diameter_mm:.2f} mm): the catheter may wedge"


def _reflux(e) -> str:
    return f"flow reversed behind the tip in {e.vessel} ({min(e.flow_ml_min, -0.1):.1f} mL/min)"


def _non_target(e) -> str:
    if e.into_aorta:
        return f"particles refluxed into the aorta: {COMPLICATION['systemic']}"
    harm = COMPLICATION.get(e.bed_kind, "non-target embolization")
    return f"particles in the {label(e.territory)} territory: {harm}"


def _coil(e) -> str:
    if e.proximal_hepatic:
        return (
            f"coils closed the {e.vessel} for good: a proximal hepatic coil, the liver beyond it "
            "can no longer be reached by catheter"
        )
    return f"coils closed the {e.vessel} for good: flow redistributes around it"


_WORDS: dict[str, Callable[..., str]] = {
    "navigate": _navigate,
    "wedge": _wedge,
    "reflux": _reflux,
    "contrast_reflux": lambda e: (
        f"contrast refluxing behind the tip in {e.vessel} ({min(e.flow_ml_min, -0.1):.1f} "
        "mL/min): slower push, or the territory is filling up"
    ),
    "reflux_stopped": lambda e: f"antegrade flow restored in {e.vessel}",
    "near_stasis": lambda e: f"antegrade flow below the tip {100 * e.residual:.0f} % (SACE III)",
    "stasis": lambda e: f"antegrade flow below the tip {100 * e.residual:.0f} % (SACE IV)",
    "non_target": _non_target,
    "lung_dose_over_limit": lambda e: f"lung dose {e.dose_gy:.0f} Gy exceeds {e.limit_gy:g} Gy",
    "contrast": lambda e: f"{e.volume_ml:g} mL at {e.rate_ml_s:g} mL/s from {e.vessel}",
    "time_limit": lambda e: f"time limit of {e.limit_min:g} min reached: the case ends",
    "coil": _coil,
    "decline": lambda e: f"treatment declined ({DECLINE_REASON_TEXT.get(e.reason, e.reason)})",
    "finish": lambda e: f"case ended at {e.t:.0f} s",
}


def detail(event) -> str:
    """The English record text of ``event`` (any :class:`sim.engine.events.Event`)."""
    return _WORDS[event.kind](event)
