"""What ``validate`` accepts, ``run`` runs: a case is built and its plan resolved before it runs.

The scenario layer checks each file on its own and a plan against its case's numbers
(:func:`sim.scenario.plan.plan_case_problems`); this module adds what needs the built case: the
anatomy and the flow must build, and every ``navigate`` target must resolve with the engine's
own resolver (:func:`sim.engine.navigation.resolve_target`, the function ``run`` calls). It is
used by ``validate``, ``run`` and the kiosk's start, so all three accept the same files.
"""

from __future__ import annotations

from pathlib import Path

from sim.actions import Navigate
from sim.engine.navigation import NavigationError, resolve_target
from sim.engine.procedure import Procedure
from sim.records.model import MAX_SEED
from sim.scenario.files import load_with_extends
from sim.scenario.load import load_scenario
from sim.scenario.models import Scenario
from sim.scenario.plan import PlanStep, load_plan, plan_case_problems
from sim.scenario.playlist import LoadedPlaylist, is_playlist, load_playlist
from sim.scenario.problems import Problem, YamlProblem

BUILD_ERRORS = (ValueError, ArithmeticError)  # what the anatomy and flow builders raise


def default_plan_path(scenario_path: Path) -> Path:
    """The expert plan beside a case: ``<case>.plan.yaml``."""
    return scenario_path.with_name(scenario_path.stem + ".plan.yaml")


def case_path_of_plan(plan_path: Path) -> Path:
    """The case a plan sits beside: ``x.plan.yaml`` → ``x.yaml``."""
    return plan_path.with_name(plan_path.name.removesuffix(".plan.yaml") + ".yaml")


def seed_problem(seed: int | str | None, where: str = "--seed") -> str | None:
    """Why a procedure seed (a number, or its text from the command line) is refused in one
    line, or ``None`` when it is usable: 0 ≤ seed < 2**63, what a record can store."""
    text = str(seed).strip()
    shown = repr(text) if len(text) <= 24 else f"a {len(text)}-character value"
    if seed is None or (
        text.isascii() and text.isdigit() and len(text) <= 20 and int(text) < MAX_SEED
    ):
        return None
    return f"{where}: {shown} is not a seed (allowed: 0–{MAX_SEED - 1})"


def build(
    sc: Scenario, path: str | Path, seed: int | None = None
) -> tuple[Procedure | None, list[Problem]]:
    """Build the procedure of a validated case, or say in one located line why it cannot be.

    Parameters
    ----------
    sc : Scenario
        The validated case.
    path : str or Path
        Its file; the problem points at its ``tumors`` (where the builders' limits bite).
    seed : int, optional
        Procedure seed (default the case's).
    """
    try:
        return Procedure(sc, seed), []
    except BUILD_ERRORS as exc:
        file = str(path)
        try:
            _, marks = load_with_extends(file)
            m = marks.locate_mark(("tumors",))
            line, col, file = m.line, m.col, m.file or file
        except (YamlProblem, OSError):
            line, col = 1, 1
        why = " ".join(str(exc).split()) or type(exc).__name__
        return None, [Problem(file, line, col, "tumors", f"this case cannot be built: {why}")]


def navigation_problems(proc: Procedure, steps: list[PlanStep]) -> list[Problem]:
    """A located problem for each ``navigate`` target the built case cannot reach."""
    out = []
    for st in steps:
        if isinstance(st.action, Navigate):
            try:
                a = st.action
                resolve_target(
                    proc.c, proc.flow, a.target, proc.catheter_radius, proc.liver.tumors, a.beyond
                )
            except NavigationError as exc:
                out.append(st.problem(str(exc)))
    return out


def plan_problems(proc: Procedure, steps: list[PlanStep]) -> list[Problem]:
    """Everything wrong with a loaded plan on a built case: numbers first, then targets."""
    return sorted(plan_case_problems(proc.case, steps) + navigation_problems(proc, steps))


def check_case(path: Path, plan_path: Path | None = None, with_plan: bool = True) -> list[Problem]:
    """All problems of a case file, of its build and (``with_plan``) of its plan.

    The plan is ``plan_path`` or the expert plan beside the case when there is one.
    """
    sc, problems = load_scenario(path)
    if sc is None:
        return problems
    proc, problems = build(sc, path)
    if proc is None or not with_plan:
        return problems
    pp = plan_path or default_plan_path(path)
    if plan_path is None and not pp.is_file():
        return []
    steps, problems = load_plan(pp)
    return problems or plan_problems(proc, steps)


def playlist_case_problems(playlist: LoadedPlaylist) -> list[Problem]:
    """Problems of a validated playlist's cases once built, with their expert plans resolved.

    :func:`sim.scenario.playlist.load_playlist` checks each file; this builds each case, so a
    case that validates but cannot be built or played stops ``validate`` and the kiosk's start,
    never a booth in the middle of a game.
    """
    out: list[Problem] = []
    for case in playlist.cases:
        proc, problems = build(case.scenario, case.scenario_path)
        out += problems if proc is None else plan_problems(proc, list(case.steps))
    return out


def check_file(path: Path, listed: set[Path]) -> list[Problem]:
    """What ``validate`` reports for one file: a case (built, with the plan beside it unless
    that plan is listed too), a plan (checked against the case beside it) or a playlist."""
    if path.name.endswith(".plan.yaml"):
        steps, problems = load_plan(path)
        case = case_path_of_plan(path)
        if problems or not case.is_file() or case.resolve() in listed:
            return problems  # a listed case checks its plan itself
        return check_case(case, path)
    if is_playlist(path):
        playlist, problems = load_playlist(path)
        return problems if playlist is None else playlist_case_problems(playlist)
    return check_case(path)
