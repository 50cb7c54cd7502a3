"""Response from what reaches the tissue: per bed, what lodged there and above it, and what it did.

The tallies say where every sphere lodged and at what calibre (:mod:`sim.flow.micro`,
:mod:`sim.transport.tallies`). Per bed:

- *Microvascular kill* = fill × depth weight. The fill is the potency-weighted sphere volume
  lodged in the bed over its embolic capacity (capped at 1): under Murray's cube law the share
  of a bed a sphere deprives is proportional to its volume. The depth weight is the mean share
  of that deprived tissue that collaterals do not reconstitute.
- *Proximal kill* from plugs in the drawn vessels above the bed: each vessel plugged by
  spheres as wide as its lumen (plug degree p, capped at 1) leaves 1 − p × (1 − reconstituted)
  of the supply below it; the plugs on a path multiply. A lobar, sectoral or segmental plug is
  largely reconstituted (0.85): the tumour survives and the access for a repeat treatment is
  lost (:func:`access_lost`).
- *Embolic* = 1 − (1 − proximal)(1 − microvascular): the share of the bed's arterial supply
  lost for good. It kills tumour by the tumour's arterial share (0.99) and injures normal liver
  by its arterial share (0.30; all of it with portal vein thrombosis) × 0.4 (U): the dual
  supply.
- *Biliary*: the peribiliary plexus plugged in normal liver, by the agent's biliary factor.
- *Radiation*: tumour response is log-logistic in the absorbed dose, D^γ / (D^γ + D₅₀^γ), with
  γ = 2 (U) and D₅₀ = 85 Gy, fitted so that the NET series' median 113 Gy gives its 64 %
  response (EASL CR + PR, Memon, reference §5.1, R2; D). The reference's 292 Gy glass D₅₀ is
  for tumour *control* in mixed primaries (JNM 2020, R), a stricter end point.
- *Drug*: 1 − exp(−mg/g ÷ 0.5) (U) of the drug that acts: DEB's eluted share (21 %, the in-vitro
  plateau of DC Bead, de Baere 2016, R) and the drug the tumour keeps with Lipiodol (all of it;
  normal liver clears the oil, SmPC, R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import physiology as phys
from sim.agents import DEB_ELUTED_FRACTION_6H
from sim.flow.compile import Compiled
from sim.flow.micro import TERMINAL_ARTERIOLE_M, reconstituted
from sim.flow.territory import edge_territory
from sim.outcome.result import Outcome
from sim.transport.flight import BED_CAPACITY_M3_PER_ML_MIN
from sim.transport.tallies import Tallies

DRUG_KILL_MG_PER_G = 0.5  # doxorubicin mg/g giving 63 % kill (U)
RADIATION_D50_GY = 85.0  # D: 113 Gy → 64 % with γ = 2 (reference §5.1, R2)
RADIATION_GAMMA = 2.0  # U
# Injury per unit of arterial supply lost in normal liver, over its arterial share: the portal
# supply carries the parenchyma through (U).
NORMAL_ISCHEMIA_INJURY = 0.4
ACCESS_MIN_LUMEN_M = 0.8e-3  # a microcatheter (2.4 Fr = 0.8 mm, reference §2.6, D) fits (U)


@dataclass(frozen=True)
class Embolic:
    """What lodged did to each bed (B,), and each vessel's plug degree (E,).

    ``proximal`` and ``micro`` are the shares of the bed's supply lost for good to plugs above
    it and in it; ``embolic`` combines the two; ``deprived`` is the share cut off before
    collaterals reconstitute part of it (so ``deprived − embolic`` was reconstituted);
    ``biliary`` is the peribiliary plexus plugged.
    """

    proximal: np.ndarray
    micro: np.ndarray
    deprived: np.ndarray
    embolic: np.ndarray
    biliary: np.ndarray
    plug: np.ndarray


def embolic(c: Compiled, tl: Tallies) -> Embolic:
    """Per-bed embolic losses from the tallies (see the module docstring)."""
    cap = BED_CAPACITY_M3_PER_ML_MIN * np.maximum(c.bed_flow0_ml_min, 1e-3)
    be = c.bed_edge
    vol = tl.dep_embolic[be]
    fill = np.minimum(vol / cap, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(vol > 0, tl.dep_necrotic[be] / np.where(vol > 0, vol, 1.0), 0.0)
    micro = fill * weight
    plug = np.minimum(tl.dep_plug, 1.0)
    keep = 1.0 - plug * (1.0 - reconstituted(2.0 * c.radius, TERMINAL_ARTERIOLE_M))
    surv, open_ = np.ones(c.n_edges), np.ones(c.n_edges)
    for e in range(c.n_nodes - 1):  # tree edges, parents before children (BFS order)
        up = c.parent_edge[c.edge_from[e]]
        surv[e] = keep[e] * (surv[up] if up >= 0 else 1.0)
        open_[e] = (1.0 - plug[e]) * (open_[up] if up >= 0 else 1.0)
    proximal = 1.0 - surv[be]
    return Embolic(
        proximal=proximal,
        micro=micro,
        deprived=1.0 - (1.0 - fill) * open_[be],
        embolic=1.0 - (1.0 - proximal) * (1.0 - micro),
        biliary=np.minimum(tl.dep_biliary[be] / cap, 1.0),
        plug=plug,
    )


def radiation_response(dose_gy: np.ndarray) -> np.ndarray:
    """Tumour response to an absorbed dose (Gy), log-logistic (see the module docstring)."""
    d = np.maximum(np.asarray(dose_gy, float), 0.0) ** RADIATION_GAMMA
    return d / (d + RADIATION_D50_GY**RADIATION_GAMMA)


def drug_kill(
    drug_mg: np.ndarray, mass_g: np.ndarray, by_agent: dict[str, np.ndarray]
) -> np.ndarray:
    """Kill by the drug that acts in each bed: DEB's eluted share, Lipiodol's retained drug.

    The tallies keep drug per bed, not per agent: a bed reached by both carriers splits its
    drug by their sphere counts (an approximation; the cases use one carrier).
    """
    deb = by_agent.get("deb", np.zeros_like(drug_mg))
    oil = by_agent.get("lipiodol", np.zeros_like(drug_mg))
    tot = deb + oil
    with np.errstate(divide="ignore", invalid="ignore"):
        deb_share = np.where(tot > 0, deb / np.where(tot > 0, tot, 1.0), 0.0)
    acting = drug_mg * (deb_share * DEB_ELUTED_FRACTION_6H + (1.0 - deb_share))
    return 1.0 - np.exp(-(acting / mass_g) / DRUG_KILL_MG_PER_G)


def normal_arterial_share(portal_vein_thrombosis: bool) -> float:
    """Arterial share of normal liver's supply: 0.30, or all of it without portal inflow."""
    return 1.0 if portal_vein_thrombosis else phys.NORMAL_LIVER_ARTERIAL_SHARE


def access_lost(c: Compiled, plug: np.ndarray) -> list[str]:
    """Hepatic arteries a microcatheter could enter that spheres plugged (plug degree ≥ 0.5),
    the most proximal of each path, by name: reconstituted by collaterals, lost for a repeat
    treatment."""
    terr = edge_territory(c)
    lost: list[str] = []
    plugged = np.zeros(c.n_edges, bool)
    for e in range(c.n_nodes - 1):
        up = c.parent_edge[c.edge_from[e]]
        above = up >= 0 and plugged[up]
        hit = (
            not c.is_bed[e]
            and terr[e] is None
            and plug[e] >= 0.5
            and 2.0 * c.radius[e] >= ACCESS_MIN_LUMEN_M
        )
        plugged[e] = above or hit
        if hit and not above and c.names[e] not in lost:
            lost.append(c.names[e])
    return sorted(lost)


def lesson_lines(out: Outcome) -> list[str]:
    """The dual-supply lesson and any lost access, in words, for the debrief and the report."""
    ds = out.dual_supply
    lines = []
    if ds is not None:
        lines.append(
            f"Dual supply: the artery feeds the tumour {100 * ds.tumor_arterial_share:.0f} % and "
            f"normal liver {100 * ds.normal_liver_arterial_share:.0f} % (the portal vein the "
            f"rest). Arterial supply lost: tumour {100 * ds.tumor_supply_lost:.0f} % "
            f"(→ {100 * ds.tumor_killed:.0f} % killed), normal liver "
            f"{100 * ds.normal_liver_supply_lost:.0f} % (→ {100 * ds.normal_liver_injured:.1f} % "
            "injured)."
        )
    lines += treated_territory_lines(out)
    if out.access_lost:
        lines.append(
            "Plugged by spheres, reconstituted by collaterals and lost for a repeat treatment: "
            + ", ".join(out.access_lost[:6])
            + (f" and {len(out.access_lost) - 6} more" if len(out.access_lost) > 6 else "")
            + "."
        )
    return lines


def treated_territory_lines(out: Outcome) -> list[str]:
    """Per Y-90 tip, what its territory received: the treated normal tissue's dose beside the
    whole-liver mean, which dilutes it (a segment's 200 Gy reads as a liver's 30)."""
    whole = out.normal_liver.dose_gy
    return [
        f"Y-90 from {p.at}: {p.mass_g:.0f} g perfused, mean {p.dose_gy:.0f} Gy; tumour "
        f"{p.tumor_gy:.0f} Gy; treated normal liver {p.normal_gy:.0f} Gy (whole-liver mean "
        f"{whole:.0f} Gy)."
        for p in out.perfused_territory
    ]
