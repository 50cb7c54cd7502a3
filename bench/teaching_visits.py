"""The teaching suite's part for staged cases (a mapping visit, then the treatment).

:mod:`teaching_suite` transforms an expert plan by its treatment visit: for a case with
``visits:`` the expert plan is cut at its last ``next_visit``; the mapping before it is kept in
front of every alternative that changes only the treatment (:func:`with_mapping`). The
alternatives here change the mapping as well, case by case: where the MAA was given, whether a
coil protects what the mapping showed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

Plan = tuple[dict, ...]
NEXT_VISIT: dict = {"next_visit": None}
FINISH: dict = {"finish": None}
COIL: dict = {"coil": None}
RHA_PAST_CYSTIC = {"vessel": "RHA", "beyond": "cystic"}
WHOLE_LIVER_GBQ = 1.48  # dosimetry at the CHA: BSA method, -20 % for the measured ~12 % shunt


def split(plan: Plan) -> tuple[Plan, Plan]:
    """``(mapping, treatment)``: the plan up to and including its last ``next_visit``, and the
    rest (``((), plan)`` for a one-visit plan)."""
    cut = [i for i, a in enumerate(plan) if "next_visit" in a]
    return (plan[: cut[-1] + 1], plan[cut[-1] + 1 :]) if cut else ((), plan)


def with_mapping(mapping: Plan, actions: Plan) -> Plan:
    """A treatment-only alternative with the expert's mapping in front (a plan that has its own
    ``next_visit`` is whole already)."""
    return actions if any("next_visit" in a for a in actions) else mapping + actions


def _maa(at, mbq: float = 150.0) -> list[dict]:
    return [
        {"navigate": at},
        {"select_agent": {"agent": "maa", "activity_mbq": mbq}},
        {"inject": {"volume_ml": 2.0, "rate_ml_min": 5.0}},
    ]


def _resin(at, gbq: float) -> list[dict]:
    return [
        {"navigate": at},
        {"select_agent": {"agent": "y90_resin", "activity_gbq": gbq}},
        {"inject": {"volume_ml": 25.0, "rate_ml_min": 5.0}},
    ]


def two_visit_gda(expert: Plan) -> Iterator[tuple]:
    """y90_two_visit: the mapping from the CHA shows the GDA (and the right gastric artery
    arising from it): go distal (the expert), or coil it and treat from the CHA (worse: the
    cystic artery still takes its share), or coil it as well as going distal (equal)."""
    _, treatment = split(expert)
    whole = _maa("CHA") + [NEXT_VISIT] + _resin("CHA", WHOLE_LIVER_GBQ) + [FINISH]
    yield (
        "whole liver from the CHA",
        "harmful",
        "the MAA showed the GDA and right gastric uptake; resin given there anyway",
        tuple(whole),
    )
    pha = _maa("PHA") + [NEXT_VISIT] + _resin("PHA", WHOLE_LIVER_GBQ) + [FINISH]
    yield (
        "whole liver from the PHA",
        "suboptimal",
        "distal to the GDA, but the cystic artery is still downstream of the tip",
        tuple(pha),
    )
    coil_gda = [{"navigate": "GDA"}, COIL]
    coiled = coil_gda + _maa("CHA") + [NEXT_VISIT] + _resin("CHA", WHOLE_LIVER_GBQ) + [FINISH]
    yield (
        "coil the GDA, whole liver from the CHA",
        "suboptimal",
        "the GDA is safe, but the cystic artery and the non-tumorous liver take their share",
        tuple(coiled),
    )
    mapping, _ = split(expert)
    yield (
        "coil the GDA as well",
        "equal",
        "a coil that the distal positions did not need: no harm, no gain",
        tuple(coil_gda) + mapping + treatment,
    )
    yield (
        "treatment not where mapped",
        "equal",
        "MAA from the CHA, resin from the expert's positions: the measured shunt is the "
        "whole liver's, the treatment the same",
        tuple(_maa("CHA") + [NEXT_VISIT]) + treatment,
    )


STAGED: dict[str, Callable[[Plan], Iterator[tuple]]] = {"y90_two_visit": two_visit_gda}


def staged(stem: str, expert: Plan) -> Iterator[tuple]:
    """The mapping alternatives of case ``stem`` (none for a case not listed)."""
    fn = STAGED.get(stem)
    if fn is not None:
        yield from fn(expert)
