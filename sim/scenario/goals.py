"""Learning goals with the check that grades them, and the Y-90 intent, as a case file has them.

A goal is a sentence for the fellow and one machine-checkable ``check`` (exactly one kind):
coverage of a tumour, non-target agent in a territory below a limit, the endpoint reached and
not pushed past, the lung dose below a limit, the agent chosen, normal-liver injury below a
limit, the highest patient-specific complication risk below a limit, the case's Y-90 intent, or
the Lu-177 DOTATATE kidney, marrow and tumour doses.
:mod:`sim.outcome.goals` grades them. A plain sentence (the old form) loads as a goal without a
check: shown, never graded.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.agents import AgentId

# Extrahepatic territories as the outcome names them (sim.anatomy.trunk), ``systemic`` (the
# aorta) and ``lungs`` (particles through tumour shunts); ``any`` is every extrahepatic
# territory together (the lungs, reached through shunts rather than by reflux, by name only).
Territory = Literal[
    "any",
    "gastroduodenal",
    "right_gastric",
    "left_gastric",
    "cystic",
    "falciform",
    "splenic",
    "superior_mesenteric",
    "systemic",
    "lungs",
]
NON_TARGET_TERRITORIES: tuple[str, ...] = get_args(Territory)
SEGMENTECTOMY_MIN_GY = 190.0  # glass, MIRD to the perfused volume (Lewandowski 2018, R)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CoverageCheck(_Strict):
    tumor: str = Field(
        "all", description="Tumour id, or `all`: every target tumour must reach the minimum."
    )
    min_percent: float = Field(
        50.0, ge=1, le=100, description="Least coverage (response) of the tumour, %."
    )


class NonTargetCheck(_Strict):
    territory: Territory = Field(
        "any",
        description="Where: gastroduodenal, right_gastric, left_gastric, cystic, falciform, "
        "splenic, superior_mesenteric, systemic, lungs, or any (every extrahepatic territory "
        "together; the lungs, reached through tumour shunts, only by name).",
    )
    max_percent: float = Field(
        0.5, ge=0, le=100, description="Most of the delivered agent allowed there, %."
    )


class EndpointCheck(_Strict):
    min_sace: int = Field(
        3, ge=1, le=4, description="Least SACE level at the tip when the case ends (3 near-stasis)."
    )
    max_after_stasis_ml: float = Field(
        1.0, ge=0, le=50, description="Most agent pushed after stasis was reached, mL."
    )


class LungDoseCheck(_Strict):
    max_gy: float = Field(30.0, ge=0, le=200, description="Highest lung dose allowed, Gy.")


class AgentCheck(_Strict):
    any_of: list[AgentId] = Field(
        min_length=1, description="The agents that meet the goal; any other given fails it."
    )


class NormalLiverCheck(_Strict):
    max_damage_percent: float = Field(
        10.0, ge=0, le=100, description="Most normal-liver injury allowed, % of its mass."
    )


class RiskCheck(_Strict):
    max_percent: float = Field(
        20.0, ge=0, le=100, description="Highest scored complication risk allowed, %."
    )


class KidneyDoseCheck(_Strict):
    max_gy: float = Field(
        23.0,
        ge=1,
        le=100,
        description="Highest Lu-177 kidney dose over the course (4 cycles like this one), Gy "
        "(23 Gy: Emami 1991, EANM PRRT guideline).",
    )


class MarrowDoseCheck(_Strict):
    max_gy: float = Field(
        2.0,
        ge=0.1,
        le=20,
        description="Highest Lu-177 red-marrow dose over the course (4 cycles), Gy (2 Gy: EANM "
        "PRRT guideline).",
    )


class TumorDoseCheck(_Strict):
    tumor: str = Field("all", description="Tumour id, or `all`: every target tumour.")
    min_gy: float = Field(20.0, ge=1, le=500, description="Least Lu-177 tumour dose per cycle, Gy.")


class IntentCheck(_Strict):
    """The case's ``y90_intent`` is met (no settings: the intent says what)."""


GOAL_CHECKS: tuple[str, ...] = (
    "coverage",
    "non_target",
    "endpoint",
    "lung_dose",
    "agent",
    "normal_liver",
    "complication_risk",
    "y90_intent",
    "kidney_dose",
    "marrow_dose",
    "tumor_dose",
)


class GoalCheck(_Strict):
    coverage: CoverageCheck | None = Field(None, description="Tumour coverage at least a minimum.")
    non_target: NonTargetCheck | None = Field(
        None, description="Non-target agent in a territory below a limit."
    )
    endpoint: EndpointCheck | None = Field(
        None, description="Stopped at the endpoint: reached it, not pushed past stasis."
    )
    lung_dose: LungDoseCheck | None = Field(None, description="Lung dose below a limit.")
    agent: AgentCheck | None = Field(None, description="Only the right agent(s) given.")
    normal_liver: NormalLiverCheck | None = Field(
        None, description="Normal-liver injury below a limit."
    )
    complication_risk: RiskCheck | None = Field(
        None, description="Highest scored complication risk below a limit."
    )
    y90_intent: IntentCheck | None = Field(None, description="The case's Y-90 intent met.")
    kidney_dose: KidneyDoseCheck | None = Field(
        None, description="Lu-177 kidney dose over the course below a limit."
    )
    marrow_dose: MarrowDoseCheck | None = Field(
        None, description="Lu-177 red-marrow dose over the course below a limit."
    )
    tumor_dose: TumorDoseCheck | None = Field(
        None, description="Lu-177 tumour dose per cycle at least a minimum."
    )

    @model_validator(mode="after")
    def _one(self) -> GoalCheck:
        n = sum(getattr(self, k) is not None for k in GOAL_CHECKS)
        if n != 1:
            raise ValueError(
                f"a check names exactly one kind, got {n} (allowed: {', '.join(GOAL_CHECKS)})"
            )
        return self

    @property
    def kind(self) -> str:
        """The one check kind set."""
        return next(k for k in GOAL_CHECKS if getattr(self, k) is not None)


class LearningGoal(_Strict):
    goal: str = Field(description="The goal in one sentence, as the fellow reads it.")
    check: GoalCheck | None = Field(
        None, description="How the debrief grades it (one kind); none: shown, not graded."
    )


def as_goal(value: object) -> object:
    """A plain sentence (the old form) as a goal without a check; anything else unchanged."""
    return {"goal": value} if isinstance(value, str) else value


class Y90Intent(_Strict):
    kind: Literal["segmentectomy", "lobar", "sectoral"] = Field(
        description="segmentectomy: ≥ 190 Gy to the perfused volume with glass (Lewandowski "
        "2018); lobar or sectoral: the perfused-volume dose within min_gy–max_gy."
    )
    min_gy: float | None = Field(
        None, ge=1, le=1000, description="Least perfused-volume dose, Gy (segmentectomy: 190)."
    )
    max_gy: float | None = Field(
        None, ge=1, le=1000, description="Highest perfused-volume dose, Gy (a dose band)."
    )

    @property
    def band_gy(self) -> tuple[float, float]:
        """(least, highest) perfused-volume dose, Gy."""
        low = (
            self.min_gy
            if self.min_gy is not None
            else (SEGMENTECTOMY_MIN_GY if self.kind == "segmentectomy" else 0.0)
        )
        return low, self.max_gy if self.max_gy is not None else float("inf")
