"""Run a scenario with a plan headless: used by ``run``, the library tests and the benchmark."""

from __future__ import annotations

from pathlib import Path

from sim.engine.navigation import NavigationError
from sim.engine.procedure import Procedure
from sim.outcome.assess import assess
from sim.scenario.load import load_scenario
from sim.scenario.plan import PlanStep, load_plan
from sim.scenario.problems import Problem


class RunError(Exception):
    """A scenario or plan that cannot be run; ``problems`` say why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def default_plan_path(scenario_path: Path) -> Path:
    """The expert plan beside a case: ``<case>.plan.yaml``."""
    return scenario_path.with_name(scenario_path.stem + ".plan.yaml")


def run_plan(
    scenario_path: str | Path, plan_path: str | Path | None = None, seed: int | None = None
) -> tuple[Procedure, dict]:
    """Load, run and assess; raises :class:`RunError` with located problems."""
    sp = Path(scenario_path)
    sc, problems = load_scenario(sp)
    if sc is None:
        raise RunError(problems)
    pp = Path(plan_path) if plan_path else default_plan_path(sp)
    steps, problems = load_plan(pp)
    if problems:
        raise RunError(problems)
    proc = Procedure(sc, seed)
    run_steps(proc, steps)
    return proc, assess(proc)


def run_steps(proc: Procedure, steps: list[PlanStep]) -> None:
    """Apply plan steps in order; a refused step raises :class:`RunError` naming its line."""
    from sim.engine.actions import Finish

    for st in steps:
        if proc.finished:
            break
        try:
            proc.apply(st.action)
        except NavigationError as exc:
            raise RunError([st.problem(str(exc))]) from None
    if not proc.finished:
        proc.apply(Finish())
