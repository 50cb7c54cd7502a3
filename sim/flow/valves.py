"""Capillary beds as check valves: no flow runs backwards from the veins into an artery.

A bed is lumped as a resistor from its feeding artery to a fixed venous pressure (liver beds
drain to the hepatic sinusoids at 8 mmHg, extrahepatic beds to systemic veins at 5 mmHg; see
:mod:`sim.physiology`). A linear solve lets flow run either way, so an artery closed upstream
(the CHA occluded) would fill backwards from its liver beds and empty into the extrahepatic
ones: venous blood crossing capillaries into arterioles, which does not happen (arterioles
collapse and the capillary pressure gradient does not reverse; the closed segment stagnates).
We model each bed as an ideal check valve (teaching choice, ``docs/physics.md``): it conducts
forward or not at all.

The valves make the problem piecewise linear. :func:`solve_with_valves` finds the set of closed
beds by an active-set iteration: close every bed with backward flow, reopen every closed bed
whose inlet pressure is above its outlet pressure, re-solve; it stops when the set no longer
changes. On an ordinary step no bed runs backwards and it costs one solve.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MAX_ROUNDS = 32  # active-set rounds; trees settle in 2–3 (the set only grows along a path)
Solve = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def solve_with_valves(
    solve: Solve,
    g: np.ndarray,
    source: np.ndarray,
    bed_edge: np.ndarray,
    bed_inlet: np.ndarray,
    outlet_pressure: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pressures and flows with every bed edge a check valve.

    Parameters
    ----------
    solve : callable
        ``solve(conductance, source) -> (pressure, flow)`` on the network (Pa, m³/s).
    g : ndarray (E,)
        Edge conductances, m³ s⁻¹ Pa⁻¹ (not modified).
    source : ndarray (N,)
        Prescribed nodal inflows, m³/s.
    bed_edge, bed_inlet : ndarray of int (B,)
        Each bed's edge and its arterial (upstream) node.
    outlet_pressure : ndarray (B,)
        Each bed's venous pressure, Pa.

    Returns
    -------
    pressure, flow : ndarray (N,), (E,)
        A closed bed carries exactly 0; an open one carries forward flow.
    """
    pressure, flow = solve(g, source)
    closed = flow[bed_edge] < 0.0
    if not closed.any():
        return pressure, flow
    for _ in range(MAX_ROUNDS):
        gv = g.copy()
        gv[bed_edge[closed]] = 0.0
        pressure, flow = solve(gv, source)
        backward = ~closed & (flow[bed_edge] < 0.0)
        reopen = closed & (pressure[bed_inlet] > outlet_pressure)
        if not backward.any() and not reopen.any():
            break
        closed = (closed | backward) & ~reopen
    flow[bed_edge[closed]] = 0.0
    return pressure, flow
