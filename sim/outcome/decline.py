"""Declining a treatment: whether it was right, and the score of a case ended that way.

Radioembolization is declined when the lungs would receive too much: resin spheres are not
given with a lung shunt above 20 % (the BSA method's do-not-treat band), and no Y-90 device is
given when the planned activity predicts a lung dose above the limit per treatment (30 Gy) or
cumulatively (50 Gy) (van Roekel thesis p.41, R; as :mod:`sim.outcome.penalties`). The engine
gathers the numbers from the planner (:func:`sim.engine.final.decline_verdict`); :func:`judge`
decides, and :func:`decline_card` scores a declined case in place of the treatment score.

The points are teaching choices (U, ``docs/physics.md`` §8.3): a right decision is worth most of
a good treatment, less when the reason given is not the one that holds; declining a patient who
could have been treated within the limits fails the case.
"""

from __future__ import annotations

from sim.outcome.penalties import RESIN_LSF_LIMIT
from sim.outcome.result import DeclineVerdict, Penalty, ScoreComponent
from sim.outcome.score import ScoreCard

DECLINE_RIGHT_POINTS = 85.0  # a right decline (U, teaching choice)
REASON_MISFIT_POINTS = 15.0  # … with a reason that is not the one that holds (U)
DECLINE_WRONG_POINTS = 10.0  # a treatable patient declined: a failing plan (U; below FAIL_CAP)


def judge(
    reason: str,
    device: str | None,
    lsf: float,
    lung_gy: float | None,
    lung_limit_gy: float,
    prior_lung_gy: float = 0.0,
    cumulative_limit_gy: float = 50.0,
    at: str = "",
) -> DeclineVerdict:
    """Whether declining was right.

    Parameters
    ----------
    reason : str
        The trainee's code (:data:`sim.actions.DECLINE_REASONS`).
    device : str or None
        The Y-90 device considered (``y90_resin`` or ``y90_glass``); None when the case offers
        no Y-90, where the lung rules give no reason to decline.
    lsf : float
        Lung shunt fraction, 0–1.
    lung_gy : float or None
        Predicted lung dose of the planned activity, Gy (None: the device may not be given).
    lung_limit_gy, prior_lung_gy, cumulative_limit_gy : float
        Per-treatment limit, earlier lung dose and cumulative limit, Gy.
    at : str
        Where the activity was planned from (for the sentence).
    """
    shunt = f"lung shunt {100 * lsf:.1f} %"
    if device is None:
        return _verdict(
            reason,
            False,
            "",
            "no Y-90 is offered: the lung rules give no reason to decline this treatment",
            device,
            lsf,
            lung_gy,
        )
    if (device == "y90_resin" and lsf > RESIN_LSF_LIMIT) or lung_gy is None:
        why = f"resin with a {shunt} (> {100 * RESIN_LSF_LIMIT:g} %): do not treat"
        return _verdict(reason, True, "lung_shunt", why, device, lsf, lung_gy)
    where = f" from {at}" if at else ""
    if lung_gy > lung_limit_gy:
        why = (
            f"{device}{where}: predicted lung dose {lung_gy:.1f} Gy > {lung_limit_gy:g} Gy per "
            f"treatment ({shunt})"
        )
        return _verdict(reason, True, "lung_dose", why, device, lsf, lung_gy)
    if prior_lung_gy + lung_gy > cumulative_limit_gy:
        why = (
            f"{device}{where}: cumulative lung dose {prior_lung_gy + lung_gy:.1f} Gy > "
            f"{cumulative_limit_gy:g} Gy"
        )
        return _verdict(reason, True, "lung_dose", why, device, lsf, lung_gy)
    why = (
        f"a treatable patient: {device}{where} predicts a lung dose of {lung_gy:.1f} Gy "
        f"(≤ {lung_limit_gy:g} Gy) with a {shunt}"
    )
    return _verdict(reason, False, "", why, device, lsf, lung_gy)


def _verdict(reason, right, cause, why, device, lsf, lung_gy) -> DeclineVerdict:
    return DeclineVerdict(
        reason=reason,
        right=right,
        why=why,
        device=device,
        lung_shunt_fraction=lsf,
        predicted_lung_gy=None if lung_gy is None else round(lung_gy, 2),
        reason_fits=right and reason == cause,
    )


def decline_card(v: DeclineVerdict) -> ScoreCard:
    """The score of a declined case: one ``decision`` component, a penalty when the reason
    does not fit, and a failure when declining was wrong."""
    if not v.right:
        comp = ScoreComponent("decision", DECLINE_WRONG_POINTS, 100.0, f"declined {v.why}")
        fail = f"declined {v.why}"
        return ScoreCard(DECLINE_WRONG_POINTS, [comp], [], [fail])
    comp = ScoreComponent("decision", DECLINE_RIGHT_POINTS, 100.0, f"declining was right: {v.why}")
    pens = []
    if not v.reason_fits:
        pens.append(
            Penalty(
                "decline_reason",
                REASON_MISFIT_POINTS,
                f"the reason given ({v.reason}) is not the one that holds: {v.why}",
            )
        )
    score = max(0.0, DECLINE_RIGHT_POINTS - sum(p.points for p in pens))
    return ScoreCard(min(score, 100.0), [comp], pens, [])
