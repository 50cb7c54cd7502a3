"""Words the reader sees for the identifiers the outcome uses (score components, penalties,
deposition classes, territories).

Identifiers stay American and snake_case in code and JSON (``tumor_coverage``,
``right_gastric``); every screen, the report and the terminal text show them through
:func:`label`, so one identifier reads the same everywhere and the screen keeps one spelling
(the reader's: "tumour").
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # score components
    "tumor_coverage": "Tumour coverage",
    "normal_liver": "Normal liver spared",
    "non_target": "No non-target embolization",
    "lung": "Lung dose",
    "efficiency": "Efficiency (fluoroscopy)",
    "complications": "Complication risk",
    "decision": "Decision to decline",
    # penalties
    "after_stasis": "agent after stasis",
    "untreated_target": "untreated target",
    "y90_intent": "Y-90 intent",
    "lu177_activity": "Lu-177 activity",
    "failed": "failing plan",
    "decline_reason": "reason for declining",
    # non-target territories
    "lungs_oil": "lungs (Lipiodol)",
}
SHORT_LABELS: dict[str, str] = {
    "non_target": "No non-target",
    "efficiency": "Efficiency",
}
DEPOSITION_LABELS: dict[str, str] = {
    "tumor": "tumours",
    "normal_liver": "normal liver",
    "non_target": "outside the liver",
    "lung": "lungs (shunted)",
    "in_flight": "still in flight",
}


def label(name: str, short: bool = False) -> str:
    """The reader's words for ``name`` (an identifier); unknown ones with spaces for ``_``.

    ``short`` gives the narrow form where a picture has a fixed column (the share card).
    """
    if short and name in SHORT_LABELS:
        return SHORT_LABELS[name]
    return LABELS.get(name, name.replace("_", " "))


def deposition_label(name: str) -> str:
    """Where the agent went, in words (``tumor`` → "tumours")."""
    return DEPOSITION_LABELS.get(name, label(name))
