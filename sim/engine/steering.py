"""Steering the catheter a segment at a time, as the window's arrow keys do.

Up advances distally along the current artery whatever its direction on the screen: at the
tip's node it takes the segment that continues the artery the tip is in (same name), or, where
the artery ends in a fork, the branch carrying the most baseline flow. Left/Right change that
choice among the vessels leaving the node, ordered from the one turning most to the viewer's
left to the one turning most to the right. Down pulls back one segment. Every refusal comes with
its reason, and :func:`behind_tip` names the side branches the catheter has passed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.flow.compile import Compiled


@dataclass(frozen=True)
class Step:
    """Where an arrow key would move the tip: ``target`` for ``Navigate`` (``#edge``), or None
    with ``why`` it cannot move."""

    target: str | None
    why: str = ""


def up_choices(c: Compiled, tip: int) -> list[int]:
    """Vessel edges leaving ``tip``, ordered from the leftmost turn to the rightmost on the AP
    image (y downward)."""
    kids = [e for e in c.children[tip] if not c.is_bed[e]]
    pe = int(c.parent_edge[tip])
    if pe < 0 or len(kids) < 2:
        return kids
    here = c.node_pos[tip]
    d0 = here - c.node_pos[int(c.edge_from[pe])]

    def turn(e: int) -> float:
        d = c.node_pos[int(c.edge_to[e])] - here
        return float(np.arctan2(d0[0] * d[1] - d0[1] * d[0], d0 @ d))  # > 0: turns right

    return sorted(kids, key=turn)


def default_choice(c: Compiled, tip: int, choices: list[int], base_flow: np.ndarray) -> int:
    """Index in ``choices`` of the segment continuing the current artery, else of the branch
    with the most baseline flow."""
    pe = int(c.parent_edge[tip])
    own = c.names[pe] if pe >= 0 else None
    for i, e in enumerate(choices):
        if c.names[e] == own:
            return i
    return int(np.argmax([base_flow[e] for e in choices]))


def up_step(c: Compiled, tip: int, choice: int | None) -> Step:
    """Up: into ``choice`` (an edge leaving the tip), or why not."""
    if choice is None:
        pe = int(c.parent_edge[tip])
        name = c.names[pe] if pe >= 0 else "the aorta"
        return Step(None, f"dead end: {name} ends here in the tissue it feeds; no vessel beyond")
    return Step(f"#{choice}")


def down_step(c: Compiled, tip: int) -> Step:
    """Down: back to the start of the tip's segment, or why not."""
    pe = int(c.parent_edge[tip])
    up = int(c.edge_from[pe]) if pe >= 0 else c.root
    if up == c.root or c.parent_edge[up] < 0:
        return Step(None, "the catheter is at the coeliac origin: it cannot pull back further")
    return Step(f"#{int(c.parent_edge[up])}")


def catheter_vessels(c: Compiled, path: list[int]) -> list[str]:
    """Vessel names along the catheter edges ``path``, proximal first, without repeats."""
    out: list[str] = []
    for e in path:
        n = c.names[e]
        if not out or out[-1] != n:
            out.append(n)
    return out


def behind_tip(c: Compiled, path: list[int]) -> list[tuple[str, list[str]]]:
    """The breadcrumb: each vessel on the catheter's ``path`` (proximal first) with the side
    branches that leave it behind the tip (not those at the tip itself)."""
    out: list[tuple[str, list[str]]] = []
    on_path = set(path)
    for k, e in enumerate(path):
        name = c.names[e]
        if not out or out[-1][0] != name:
            out.append((name, []))
        if k == len(path) - 1:
            break
        node = int(c.edge_to[e])
        out[-1][1].extend(
            c.names[b] for b in c.children[node] if not c.is_bed[b] and b not in on_path
        )
    return out


def crumb_text(crumbs: list[tuple[str, list[str]]]) -> str:
    """``coeliac (splenic, LGA) › CHA (GDA) › …`` for the screen."""
    return " › ".join(f"{n} ({', '.join(s)})" if s else n for n, s in crumbs)
