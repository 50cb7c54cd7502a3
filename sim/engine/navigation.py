"""Where the catheter can go: resolve a plan or UI target to a tip node, or refuse clearly."""

from __future__ import annotations

import difflib

import numpy as np

from sim.flow.catheter import WEDGE_FACTOR, annulus_factor, can_enter
from sim.flow.compile import Compiled
from sim.flow.model import FlowModel

TIGHT_FACTOR = 0.10  # warn below 10 % of free-lumen conductance: the catheter may wedge (U)


class NavigationError(ValueError):
    """A target the catheter cannot reach, with a message for the trainee."""


def vessel_names(c: Compiled) -> list[str]:
    """Distinct vessel names, proximal first."""
    seen: dict[str, None] = {}
    for e, n in enumerate(c.names):
        if not c.is_bed[e]:
            seen.setdefault(n, None)
    return list(seen)


def side_branches(c: Compiled, node: int) -> list[int]:
    """Vessel edges leaving ``node`` under another name than the edge arriving there."""
    pe = int(c.parent_edge[node])
    own = c.names[pe] if pe >= 0 else None
    return [e for e in c.children[node] if not c.is_bed[e] and c.names[e] != own]


def _unknown_vessel(c: Compiled, target: str) -> NavigationError:
    hint = difflib.get_close_matches(target, vessel_names(c), n=1, cutoff=0.5)
    msg = f"unknown vessel '{target}'"
    return NavigationError(msg + (f" (did you mean '{hint[0]}'?)" if hint else ""))


def vessel_run(c: Compiled, name: str) -> list[int]:
    """The edges of one named artery, origin first: its first edge and the edges that continue
    it under the same name."""
    edges = [e for e in c.vessel_edges(name) if not c.is_bed[e]]
    if not edges:
        raise _unknown_vessel(c, name)
    run = [edges[0]]
    while True:
        nxt = [e for e in c.children[int(c.edge_to[run[-1]])] if c.names[e] == name]
        if not nxt:
            return run
        run.append(nxt[0])


def beyond_node(c: Compiled, vessel: str, branch: str) -> int:
    """The node of ``vessel`` just past the origin of its side branch ``branch``."""
    run = vessel_run(c, vessel)
    for k, e in enumerate(run):
        names = [c.names[b] for b in side_branches(c, int(c.edge_to[e]))]
        if branch in names:
            if k == len(run) - 1:
                raise NavigationError(
                    f"{branch} leaves {vessel} at its end: nothing of {vessel} lies beyond it "
                    f"(navigate into the next vessel instead)"
                )
            return int(c.edge_to[run[k + 1]])
    allowed = [c.names[b] for e in run[:-1] for b in side_branches(c, int(c.edge_to[e]))]
    raise NavigationError(
        f"'{branch}' is not a side branch of {vessel} "
        f"(allowed: {', '.join(allowed) if allowed else 'none, it has no side branch'})"
    )


def target_node(c: Compiled, target: str, tumors, beyond: str | None = None) -> int:
    """The node a target names, before checking the catheter can get there.

    A vessel name is its origin: the end of the artery's first segment, proximal to the side
    branches that leave it there or further along; ``beyond`` moves the tip past one of them.
    """
    if beyond is not None:
        return beyond_node(c, target, beyond)
    if target.startswith("#") and target[1:].isdigit():  # an edge picked in the window
        e = int(target[1:])
        if e >= c.n_edges or c.is_bed[e]:
            raise NavigationError(f"no vessel {target}")
        return int(c.edge_to[e])
    if target.startswith("feeder:"):
        tid = target.split(":", 1)[1]
        if tid not in c.tumor_ids:
            hint = difflib.get_close_matches(tid, c.tumor_ids, n=1)
            msg = f"no tumour '{tid}'"
            msg += f" (did you mean 'feeder:{hint[0]}'?)" if hint else ""
            raise NavigationError(msg + f" (tumours: {', '.join(c.tumor_ids)})")
        return _feeder_lca(c, c.tumor_ids.index(tid))
    return int(c.edge_to[vessel_run(c, target)[0]])


def _feeder_lca(c: Compiled, tumor: int) -> int:
    """Deepest node on the path shared by the tumour's hepatic feeders.

    A tumour also fed by a parasitized artery from another root keeps the group of feeders
    that carries most of its flow (the hepatic one, as a rule).
    """
    beds = np.flatnonzero(c.bed_tumor == tumor)
    paths = [c.path_to(int(c.edge_from[c.bed_edge[b]])) for b in beds]
    groups: dict[int, float] = {}
    for b, path in zip(beds, paths, strict=True):
        groups[path[0]] = groups.get(path[0], 0.0) + c.bed_flow0_ml_min[b]
    main = max(groups, key=groups.get)
    paths = [path for path in paths if path[0] == main]
    common: list[int] = []
    for step in zip(*paths, strict=False):
        if all(s == step[0] for s in step):
            common.append(step[0])
        else:
            break
    return int(c.edge_to[common[-1]]) if common else c.root


def resolve_target(
    c: Compiled,
    flow: FlowModel,
    target: str,
    catheter_radius: float,
    tumors,
    beyond: str | None = None,
) -> tuple[int, bool]:
    """Tip node for ``target`` and whether the fit there is tight (the catheter may wedge);
    raises :class:`NavigationError`.

    ``feeder:T`` backs off to the most distal vessel on the common path to all of T's feeders
    that the catheter can enter without wedging. A named vessel must be enterable all the way
    (to its origin, or past ``beyond``).
    """
    node = target_node(c, target, tumors, beyond)
    path = c.path_to(node)
    if not path:
        raise NavigationError(f"'{target}' is the aorta; choose a vessel")
    _coiled_refusal(c, flow, path, target)
    ok = can_enter(c.radius[path], catheter_radius)
    if target.startswith("feeder:"):  # an expert stops short of a wedge, too
        ok &= annulus_factor(c.radius[path], catheter_radius) >= WEDGE_FACTOR
        first_bad = int(np.argmin(ok)) if not ok.all() else len(path)
        path = path[:first_bad]
        if not path:
            raise NavigationError(f"the catheter cannot enter any vessel toward {target}")
        node = int(c.edge_to[path[-1]])
    elif not ok.all():
        e = path[int(np.argmin(ok))]
        raise NavigationError(
            f"the {2e3 * catheter_radius:.2f} mm catheter cannot enter {c.names[e]} "
            f"({2e3 * c.radius[e]:.2f} mm)"
        )
    f = float(annulus_factor(c.radius[path[-1:]], catheter_radius)[0])
    return node, f < TIGHT_FACTOR


def _coiled_refusal(c: Compiled, flow: FlowModel, path: list[int], target: str) -> None:
    """Refuse a path through a vessel closed by coils (``flow.closed``): a coil pack cannot be
    passed, so everything beyond it is lost to the catheter."""
    closed = [e for e in path if flow.closed[e]]
    if closed:
        name = c.names[closed[0]]
        raise NavigationError(
            f"the {name} is closed by coils: no catheter can pass a coil pack to reach {target}"
        )
