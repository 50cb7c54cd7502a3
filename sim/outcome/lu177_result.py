"""The Lu-177 DOTATATE part of an outcome as typed data, and its JSON form (``run --json``'s
``lu177``). The model that computes it is :mod:`sim.outcome.lu177`."""

from __future__ import annotations

from dataclasses import dataclass

CYCLES = 4  # the standard course: 4 × 7.4 GBq (NETTER-1; LUTIA gave 4 cycles, reference §3.5, R)


@dataclass(frozen=True)
class Lu177Tumor:
    """One tumour: activity bound (GBq) and its dose per cycle (Gy); uptake over what the same
    activity given intravenously would give."""

    id: str
    target: bool
    uptake_gbq: float
    dose_gy: float
    ia_iv_ratio: float


@dataclass(frozen=True)
class Lu177Result:
    """One cycle of Lu-177 DOTATATE and the course it stands for (× :data:`CYCLES`)."""

    route: str  # ia, iv or ia+iv
    activity_gbq: float
    tips: tuple[str, ...]
    tumors: tuple[Lu177Tumor, ...]
    kidney_gy: float  # per cycle
    marrow_gy: float
    ia_iv_uptake_ratio: float | None  # target tumours together; None without an IA dose

    @property
    def kidney_course_gy(self) -> float:
        return self.kidney_gy * CYCLES

    @property
    def marrow_course_gy(self) -> float:
        return self.marrow_gy * CYCLES

    def to_dict(self) -> dict:
        return {
            "route": self.route,
            "activity_gbq": round(self.activity_gbq, 4),
            "from": list(self.tips),
            "cycles": CYCLES,
            "tumor_gy": [
                {"id": t.id, "gy": round(t.dose_gy, 3), "ia_iv_ratio": round(t.ia_iv_ratio, 4)}
                for t in self.tumors
            ],
            "kidney_gy": round(self.kidney_gy, 4),
            "kidney_course_gy": round(self.kidney_course_gy, 3),
            "marrow_gy": round(self.marrow_gy, 5),
            "marrow_course_gy": round(self.marrow_course_gy, 4),
            "ia_iv_uptake_ratio": (
                None if self.ia_iv_uptake_ratio is None else round(self.ia_iv_uptake_ratio, 4)
            ),
        }
