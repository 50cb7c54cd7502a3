"""Loader for the shared flow validation cases (format siphon-validation/flow-network/v1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.flow.network import Network

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "domain" / "flow_cases"


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.json"))


def load_case(path: Path) -> tuple[Network, dict, list[str], list[str]]:
    """Return the network, the case dict, node ids and edge ids (in array order)."""
    case = json.loads(path.read_text())
    node_ids = [n["id"] for n in case["nodes"]]
    idx = {nid: i for i, nid in enumerate(node_ids)}
    edges = case["edges"]
    edge_ids = [e["id"] for e in edges]
    source = np.zeros(len(node_ids))
    fixed_nodes, fixed_p = [], []
    for bc in case["boundary_conditions"]:
        i = idx[bc["node"]]
        if bc["type"] == "flow_in":
            source[i] += bc["value"]
        elif bc["type"] == "flow_out":
            source[i] -= bc["value"]
        elif bc["type"] == "pressure":
            fixed_nodes.append(i)
            fixed_p.append(bc["value"])
        else:
            raise ValueError(bc["type"])
    sten = np.array([e.get("stenosis_coefficient", 0.0) for e in edges])
    net = Network(
        n_nodes=len(node_ids),
        edge_from=np.array([idx[e["from"]] for e in edges]),
        edge_to=np.array([idx[e["to"]] for e in edges]),
        conductance=1.0 / np.array([e["resistance"] for e in edges]),
        fixed_nodes=np.array(fixed_nodes),
        fixed_pressure=np.array(fixed_p, dtype=float),
        source=source,
        stenosis=sten if sten.any() else None,
    )
    return net, case, node_ids, edge_ids
