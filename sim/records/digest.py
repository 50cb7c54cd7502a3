"""A fingerprint of a procedure's final state, stored with a record and checked by a replay.

sha256 over, in a fixed order: the outcome dict as canonical JSON (sorted keys, exact float
repr), the clock (tick), the raw bytes of the final flow state (occlusion, flows, pressures,
and the vessels coils closed, when there are any)
and of every transport tally (deposits per edge and agent, lung, aorta, delivered), and the
states of the random streams; for a staged case, the earlier visits (their outcomes and what they
carried over, :mod:`sim.engine.visits`). Anything that makes two runs differ — one packet lodged
elsewhere, one more draw from a generator — changes it. Only side-effect-free reads are used
(``Transport.tallies``), so computing a digest never changes the procedure.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from sim.engine.final import visit_outcomes

# The transport tallies (fields of sim.transport.tallies.Tallies) in the order the digest hashes
# them, each with the label it has always been hashed under: changing either changes every
# stored digest.
TALLY_LABELS: tuple[tuple[str, str], ...] = (
    ("dep_count", "dep_count"),
    ("dep_volume", "dep_volume"),
    ("dep_activity", "dep_activity"),
    ("dep_drug", "dep_drug"),
    ("dep_agent_count", "dep_agent_count"),
    ("site_diam_sum", "site_diam_sum"),
    ("site_weight", "site_weight"),
    ("lung_count", "_lung_count"),
    ("lung_activity", "_lung_activity"),
    ("out_count", "_out_count"),
    ("out_activity", "_out_activity"),
    ("dep_plug", "dep_plug"),
    ("dep_embolic", "dep_embolic"),
    ("dep_necrotic", "dep_necrotic"),
    ("dep_biliary", "dep_biliary"),
)


# Per-agent arrays are hashed for the agents the catalogue had when digests were first stored
# (bland … y90_glass) and for any later agent up to the last one used: a catalogue that grows
# (MAA, …) leaves every stored digest valid.
DIGEST_AGENTS = 6
PER_AGENT = frozenset(
    {"dep_agent_count", "site_diam_sum", "site_weight", "lung_count", "lung_activity"}
    | {"out_count", "out_activity"}
)


def _agent_rows(delivered: np.ndarray) -> int:
    """How many leading agent rows the digest hashes."""
    used = np.flatnonzero(delivered > 0)
    return max(DIGEST_AGENTS, int(used[-1]) + 1 if used.size else 0)


def _array(h, name: str, a: np.ndarray) -> None:
    a = np.ascontiguousarray(a)
    h.update(f"{name}:{a.dtype.str}:{a.shape}\n".encode())
    h.update(a.tobytes())


def state_digest(proc, outcome: dict) -> str:
    """Hex sha256 of ``outcome`` and ``proc``'s final state.

    Parameters
    ----------
    proc : sim.engine.procedure.Procedure
        The procedure (usually finished; an unfinished one digests as it stands).
    outcome : dict
        Its ``Outcome.to_dict()`` (:mod:`sim.outcome.result`).
    """
    h = hashlib.sha256()
    h.update(json.dumps(outcome, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    h.update(f"\ntick:{int(proc.tick)}\n".encode())
    _array(h, "occlusion", proc.flow.occlusion)
    _array(h, "flow", proc.flow.flow)
    _array(h, "pressure", proc.flow.pressure)
    if proc.flow.closed.any():  # coils (hashed only when placed: older digests stay valid)
        _array(h, "closed", proc.flow.closed)
    tr = proc.transport
    tallies = tr.tallies()
    n = _agent_rows(tr.delivered_count)
    for field, label in TALLY_LABELS:
        a = getattr(tallies, field)
        _array(h, label, a[:n] if field in PER_AGENT else a)
    _array(h, "delivered_count", tr.delivered_count[:n])
    _array(h, "delivered_activity", tr.delivered_activity[:n])
    _array(h, "in_flight", tr.in_flight_count()[:n])
    if proc.case.visits:  # a staged case: what the earlier visits measured and closed
        visit_outcomes(proc)
        done = [v.to_dict() for v in proc.visits.done]
        h.update(json.dumps(done, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        h.update(f"\nvisit:{proc.visits.index}:{proc.visits.carry.to_dict()}\n".encode())
    streams = proc.streams
    for name in type(streams).__dataclass_fields__:
        state = getattr(streams, name).bit_generator.state
        h.update(f"rng:{name}:{json.dumps(state, sort_keys=True, default=str)}\n".encode())
    return h.hexdigest()
