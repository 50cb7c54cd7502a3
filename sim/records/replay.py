"""Replay a record: the same scenario, seed and timed actions give the same final state.

The window steps its clock freely between actions (``Procedure.step()``) and every action is
logged with the tick it was applied at, so ``run_to(tick)`` then ``apply(action)`` for each
logged action re-creates a window session, a plan run or a kiosk game exactly; the record's
digest (:mod:`.digest`) proves it.

Limits: the scenario comes from the text stored in the record. A case that ``extends:`` another
file is loaded from its original path when that file still has the recorded bytes (so the base
resolves beside it); otherwise from a copy in a fresh private temporary folder under a generated
name (nothing in a record ever names a path); a copy that ``extends:`` a base is refused then
(the base is not in the record, and a path from the record is never followed). Bit-identity
also assumes the same numpy (random streams and floating-point kernels); a different version is
warned about, not refused.

A replay is bounded by the case's time limit (``limits.time_min``): an action past it is
refused before anything runs, and the engine ends the case at the limit (a runaway action, an
injection of hours, stops there), so the clock never runs further than the limit plus the
settling time of ``finish``. A ``select_agent`` must fit the case's shelf, as in a plan.
:func:`verified` is what ``import-replay`` keeps: the record with the outcome and digest that
replaying it gives, never the ones its file claims.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import sim
from sim.actions import NextVisit, SelectAgent
from sim.engine.final import assess_procedure
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT, SETTLE_S, Procedure, time_limit_tick
from sim.engine.visits import visit_scenarios
from sim.outcome.result import Outcome
from sim.records.digest import state_digest
from sim.records.model import MAX_SEED, printable
from sim.records.store import Record
from sim.scenario.load import load_scenario
from sim.scenario.models import Scenario
from sim.scenario.plan import (
    ActionFormError,
    action_from_dict,
    agent_problem,
    next_visit_problem,
)


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


def case_file_name(record: Record) -> str:
    """The generated name a record's scenario text is written under (from its sha256)."""
    return f"case-{_sha(record.scenario_text)[:16]}.yaml"


def _original(record: Record) -> Path | None:
    """The case file the record was made from, if it is still a file with the recorded bytes."""
    if not record.scenario_path:
        return None
    orig = Path(record.scenario_path)
    try:
        if orig.is_file() and orig.stat().st_size <= 4 * len(record.scenario_text) + 4096:
            if hashlib.sha256(orig.read_bytes()).hexdigest() == record.scenario_sha256:
                return orig
    except OSError:
        pass
    return None


@contextlib.contextmanager
def scenario_file(record: Record) -> Iterator[Path]:
    """A path holding the record's scenario text, valid inside the ``with`` block.

    The original file when it is still a regular file with the recorded sha256 (``extends:``
    then resolves beside it), else :func:`case_file_name` in a fresh private temporary folder,
    removed afterwards. No part of the path comes from the record's content.
    """
    if (orig := _original(record)) is not None:
        yield orig
        return
    with tempfile.TemporaryDirectory(prefix="siphon-replay-") as tmp:
        path = Path(tmp) / case_file_name(record)
        with open(path, "x", encoding="utf-8", newline="") as f:
            f.write(record.scenario_text)
        yield path


def keep_scenario(record: Record, folder: Path) -> Path:
    """The record's scenario text as a file that stays, in ``folder/cases`` (the data folder's).

    Named by :func:`case_file_name`; an existing file of that name with the same text is reused,
    one with other content is never overwritten (a numbered name is taken instead).
    """
    cases = Path(folder) / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    stem = case_file_name(record).removesuffix(".yaml")
    for n in range(1, 100):
        path = cases / (f"{stem}.yaml" if n == 1 else f"{stem}-{n}.yaml")
        try:
            with open(path, "x", encoding="utf-8", newline="") as f:
                f.write(record.scenario_text)
            return path
        except FileExistsError:
            if (
                path.is_file()
                and not path.is_symlink()
                and _sha_file(path) == _sha(record.scenario_text)
            ):
                return path
    raise OSError(f"{cases}: no free name for {stem}.yaml")


def _sha_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _extends(text: str) -> str | None:
    """The ``extends:`` of a scenario text, if it has one (None too if it does not parse)."""
    from sim.scenario.problems import YamlProblem
    from sim.scenario.yaml_strict import load_yaml_text

    try:
        data, _ = load_yaml_text(text, "scenario")
    except (YamlProblem, ValueError):
        return None
    base = data.get("extends")
    return None if base is None else str(base)


def step_budget(sc: Scenario) -> int:
    """The furthest a replay's clock may run: the time limit plus the settling of ``finish``
    (of every visit, for a staged case)."""
    return sum(time_limit_tick(v) + math.ceil(SETTLE_S / DT) for v in visit_scenarios(sc))


def _limit_text(sc: Scenario) -> str:
    """The case's time limit in words (the visits' limits added, for a staged case)."""
    minutes = sum(v.limits.time_min for v in visit_scenarios(sc))
    return f"{minutes:g} min" + (f" over {len(sc.visits)} visits" if sc.visits else "")


def record_scenario(record: Record) -> tuple[Scenario, Path]:
    """The record's scenario model and the path it was loaded from (may be gone afterwards).

    Raises
    ------
    ReplayError
        If the record holds no scenario or the stored text no longer loads.
    """
    if record.damage:
        raise ReplayError(f"record {record.id} is damaged in the store ({record.damage})")
    if isinstance(record.seed, bool) or not 0 <= record.seed < MAX_SEED:
        raise ReplayError(f"record {record.id}: seed {record.seed} is out of range")
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
    if _original(record) is None and (base := _extends(record.scenario_text)) is not None:
        raise ReplayError(
            f"record {record.id}: its scenario extends {printable(base, 60)!r}, which a replay "
            "cannot follow (it carries only the case's own text, and its file has changed)"
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


def parse_actions(record: Record, sc: Scenario | None = None) -> list[tuple[int, object]]:
    """The record's ``(tick, action)`` pairs as engine actions.

    With the record's scenario ``sc``, every tick must lie within the case's time limit
    (:func:`~sim.engine.procedure.time_limit_tick`), so a replay never runs an action it could
    not reach.

    Raises
    ------
    ReplayError
        Naming the first action that does not parse, goes back in time or lies past the limit.
    """
    limit = None if sc is None else step_budget(sc) - math.ceil(SETTLE_S / DT)
    out, last, visit = [], 0, 0
    for i, (tick, item) in enumerate(record.actions):
        try:
            action = action_from_dict(item)
        except ActionFormError as exc:
            raise ReplayError(f"record {record.id}: action {i}: {exc}") from None
        if int(tick) < last:
            raise ReplayError(f"record {record.id}: action {i} at tick {tick} goes back in time")
        why = agent_problem(sc, action, visit) if sc and isinstance(action, SelectAgent) else None
        if sc and isinstance(action, NextVisit):
            why, visit = next_visit_problem(sc, visit), visit + 1
        if why:
            raise ReplayError(f"record {record.id}: action {i}: {why}")
        if limit is not None and tick > limit:
            raise ReplayError(
                f"record {record.id}: action {i} at tick {tick} is past the case's time limit "
                f"({_limit_text(sc)} = tick {limit})"
            )
        last = int(tick)
        out.append((last, action))
    return out


def replay(record: Record, *, check_digest: bool = True) -> tuple[Procedure, Outcome | None]:
    """Re-run a record from its scenario, seed and timed actions.

    A finished record ends with its ``finish`` action and is assessed; an abandoned one has
    every logged action applied, then its clock run to the last heartbeat, and no outcome.
    The clock never runs past :func:`step_budget`: the engine ends the procedure at the case's
    time limit (an action still running there stops), then settles.

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
        If the record cannot be replayed (damaged, no or broken scenario, a refused action,
        an action or a heartbeat past the case's time limit).
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
    actions = parse_actions(record, sc)
    budget = step_budget(sc)
    if record.status != "finished" and not 0 <= record.last_tick <= budget:
        raise ReplayError(
            f"record {record.id}: its last heartbeat (tick {record.last_tick}) is past the "
            f"case's time limit ({_limit_text(sc)})"
        )
    proc = Procedure(sc, record.seed)
    for i, (tick, action) in enumerate(actions):
        if proc.finished:
            break
        proc.run_to(tick)
        if proc.finished:  # the time limit ended it before this action
            break
        try:
            proc.apply(action)
        except NavigationError as exc:
            raise ReplayError(
                f"record {record.id}: action {i} at tick {tick} was refused: {exc}"
            ) from None
    if record.status != "finished":
        proc.run_to(record.last_tick)
        return proc, None
    if not proc.finished:  # no finish logged: the case's time limit ended it (free clock)
        proc.run_to(proc.limit_tick)
    out = assess_procedure(proc)
    if check_digest and record.digest:
        got = state_digest(proc, out.to_dict())
        if got != record.digest:
            raise DigestMismatch(record, proc, out, got)
    return proc, out


def _canonical(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def verified(record: Record) -> Record:
    """The record as replaying it here gives it — what ``import-replay`` keeps.

    The outcome and digest are recomputed; the ones the record claims must agree with them
    (a record without a digest is checked on its outcome alone). An unfinished record keeps
    neither.

    Raises
    ------
    ReplayError
        One line, when the record does not replay (see :func:`replay`), a finished record's
        actions do not finish the case, or its claimed outcome or digest differ from the replay.
    """
    proc, result = replay(record, check_digest=False)
    if record.status != "finished":
        return dataclasses.replace(record, outcome=None, digest=None)
    if not proc.finished or result is None:
        raise ReplayError("it claims to be finished, but its actions do not finish the case")
    out = result.to_dict()
    digest = state_digest(proc, out)
    if record.digest and digest != record.digest:
        raise ReplayError(
            f"replaying it gives another final state than it claims (digest {digest[:12]}…, "
            f"not {record.digest[:12]}…); not imported"
        )
    if _canonical(out) != _canonical(record.outcome):
        claimed = printable(repr(record.outcome.get("score")), 24) if record.outcome else "none"
        raise ReplayError(
            f"its outcome is not what replaying it gives (score {claimed} claimed, "
            f"{result.score} replayed); not imported"
        )
    return dataclasses.replace(record, outcome=out, digest=digest)
