"""Replay a record: the same scenario, seed and timed actions give the same final state.

The window steps its clock freely between actions (``Procedure.step()``) and every action is
logged with the tick it was applied at, so ``run_to(tick)`` then ``apply(action)`` for each
logged action re-creates a window session, a plan run or a kiosk game exactly; the record's
digest (:mod:`.digest`) proves it.

Limits: the scenario comes from the text stored in the record. A case that ``extends:`` another
file is loaded from its original path when that file still has the recorded bytes (so the base
resolves beside it); otherwise from a temporary copy, where the base must be found again — if it
is not, the replay stops with the loader's message. Bit-identity also assumes the same numpy
(random streams and floating-point kernels); a different version is warned about, not refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import sim
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.outcome.result import Outcome
from sim.records.digest import state_digest
from sim.records.store import Record
from sim.scenario.load import load_scenario
from sim.scenario.models import Scenario
from sim.scenario.plan import ActionFormError, action_from_dict


class ReplayError(Exception):
    """A record that cannot be replayed; the message is one line."""


class DigestMismatch(ReplayError):
    """The replay ran but its final state differs from the recorded one.

    ``proc`` and ``outcome`` hold the replayed procedure and its assessment.
    """

    def __init__(self, record: Record, proc: Procedure, outcome: Outcome, got: str) -> None:
        super().__init__(
            f"record {record.id}: final state digest {got[:12]}… differs from the recorded "
            f"{(record.digest or '')[:12]}…"
        )
        self.proc, self.outcome, self.expected, self.got = proc, outcome, record.digest, got


class ReplayWarning(UserWarning):
    """A replay that runs but may not be bit-identical (other numpy, other Siphon)."""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def scenario_file(record: Record) -> Iterator[Path]:
    """A path holding the record's scenario text, valid inside the ``with`` block.

    The original file when it still has the recorded sha256 (``extends:`` then resolves
    beside it), else a temporary ``<scenario id>.yaml``.
    """
    if record.scenario_path:
        orig = Path(record.scenario_path)
        try:
            if hashlib.sha256(orig.read_bytes()).hexdigest() == record.scenario_sha256:
                yield orig
                return
        except OSError:
            pass
    with tempfile.TemporaryDirectory(prefix="siphon-replay-") as tmp:
        path = Path(tmp) / f"{record.scenario_id or 'scenario'}.yaml"
        path.write_bytes(record.scenario_text.encode("utf-8"))
        yield path


def record_scenario(record: Record) -> tuple[Scenario, Path]:
    """The record's scenario model and the path it was loaded from (may be gone afterwards).

    Raises
    ------
    ReplayError
        If the record holds no scenario or the stored text no longer loads.
    """
    if not record.scenario_text:
        raise ReplayError(
            f"record {record.id} holds no scenario text (migrated from an older records "
            "layout); it cannot be replayed"
        )
    if record.scenario_sha256 and _sha(record.scenario_text) != record.scenario_sha256:
        warnings.warn(
            ReplayWarning(f"record {record.id}: stored scenario text does not match its sha256"),
            stacklevel=2,
        )
    with scenario_file(record) as path:
        sc, problems = load_scenario(path)
    if sc is None:
        first = problems[0] if problems else "unknown problem"
        raise ReplayError(f"record {record.id}: its scenario does not load: {first}")
    return sc, path


def version_warnings(record: Record) -> list[str]:
    """Why this machine might not reproduce the record bit for bit (empty: it should)."""
    out = []
    if record.numpy_version and record.numpy_version != np.__version__:
        out.append(
            f"recorded with numpy {record.numpy_version}, this is {np.__version__}: "
            "bit-identity is not guaranteed"
        )
    if record.app_version and record.app_version != sim.__version__:
        out.append(
            f"recorded with Siphon {record.app_version}, this is {sim.__version__}: "
            "bit-identity is not guaranteed"
        )
    return out


def parse_actions(record: Record) -> list[tuple[int, object]]:
    """The record's ``(tick, action)`` pairs as engine actions.

    Raises
    ------
    ReplayError
        Naming the first action that does not parse or goes back in time.
    """
    out, last = [], 0
    for i, (tick, item) in enumerate(record.actions):
        try:
            action = action_from_dict(item)
        except ActionFormError as exc:
            raise ReplayError(f"record {record.id}: action {i}: {exc}") from None
        if int(tick) < last:
            raise ReplayError(f"record {record.id}: action {i} at tick {tick} goes back in time")
        last = int(tick)
        out.append((last, action))
    return out


def replay(record: Record, *, check_digest: bool = True) -> tuple[Procedure, Outcome | None]:
    """Re-run a record from its scenario, seed and timed actions.

    A finished record ends with its ``finish`` action and is assessed; an abandoned one has
    every logged action applied, then its clock run to the last heartbeat, and no outcome.

    Parameters
    ----------
    record : Record
        From :class:`~sim.records.store.RecordStore` or a ``.siphon.json`` file.
    check_digest : bool
        Compare the final state with the recorded digest (finished records that have one).

    Returns
    -------
    (Procedure, Outcome or None)
        The replayed procedure and, for a finished record, its outcome.

    Raises
    ------
    ReplayError
        If the record cannot be replayed (no or broken scenario, a refused action).
    DigestMismatch
        If ``check_digest`` and the final state differs from the recorded one.

    Warns
    -----
    ReplayWarning
        When the record was made with another numpy or Siphon version.
    """
    for msg in version_warnings(record):
        warnings.warn(ReplayWarning(msg), stacklevel=2)
    sc, _ = record_scenario(record)
    actions = parse_actions(record)
    proc = Procedure(sc, record.seed)
    for i, (tick, action) in enumerate(actions):
        if proc.finished:
            break
        proc.run_to(tick)
        try:
            proc.apply(action)
        except NavigationError as exc:
            raise ReplayError(
                f"record {record.id}: action {i} at tick {tick} was refused: {exc}"
            ) from None
    if record.status != "finished":
        proc.run_to(record.last_tick)
        return proc, None
    out = assess_procedure(proc)
    if check_digest and record.digest:
        got = state_digest(proc, out.to_dict())
        if got != record.digest:
            raise DigestMismatch(record, proc, out, got)
    return proc, out
