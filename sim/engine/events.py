"""Events the engine reports: what a fellow should notice, with the time they happened."""

from __future__ import annotations

from dataclasses import dataclass

EVENT_KINDS = (
    "navigate",
    "wedge",
    "reflux",
    "reflux_stopped",
    "near_stasis",
    "stasis",
    "non_target",
    "lung_dose_over_limit",
    "contrast",
    "limit",
    "finish",
)


@dataclass(frozen=True)
class Event:
    """Something that happened at simulated time ``t`` (s)."""

    t: float
    kind: str
    detail: str

    def as_dict(self) -> dict:
        return {"t": round(self.t, 3), "kind": self.kind, "detail": self.detail}
