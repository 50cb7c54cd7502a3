"""Plan files: a YAML list of actions, validated with file:line:col errors.

```yaml
actions:
  - navigate: RHA                             # the RHA's origin
  - navigate: {vessel: RHA, beyond: cystic}   # just past the cystic artery's origin
  - select_agent: {agent: bland, size_um: [100, 300]}
  - inject: {volume_ml: 4, rate_ml_min: 2}
  - wait: {seconds: 10}
  - contrast: {volume_ml: 3}
  - finish
```
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from sim.actions import ACTION_TYPES, Action
from sim.agents import AGENTS
from sim.scenario.models import Scenario
from sim.scenario.problems import Marks, Problem, YamlProblem, problems_from_validation_error
from sim.scenario.yaml_strict import load_yaml_file


@dataclass(frozen=True)
class PlanStep:
    """An action with where it was written."""

    action: object
    file: str
    line: int
    col: int
    index: int

    def problem(self, message: str) -> Problem:
        kind = getattr(self.action, "kind", "")
        return Problem(self.file, self.line, self.col, f"actions[{self.index}].{kind}", message)


class ActionFormError(ValueError):
    """An action item that is not ``{kind: payload}`` with a known kind; ``message`` says why.

    ``kind`` is set when the kind was understood but its payload was not.
    """

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


def split_action(item: object) -> tuple[str, object, type, dict]:
    """Take a plan-file action item apart: ``(kind, raw args, action class, payload)``.

    ``item`` is ``"finish"``, ``{"navigate": "RHA"}``, ``{"inject": {"volume_ml": 4}}`` … (the
    form :func:`sim.actions.to_dict` writes). The payload is not validated yet.

    Raises
    ------
    ActionFormError
        If the item is not one key, the kind is unknown, or the payload is not a mapping.
    """
    if isinstance(item, str):
        kind, args = item, None
    elif isinstance(item, dict) and len(item) == 1:
        kind, args = next(iter(item.items()))
    else:
        raise ActionFormError("each action is one key, e.g. 'navigate: RHA' or 'finish'")
    if kind not in ACTION_TYPES:
        hint = difflib.get_close_matches(str(kind), ACTION_TYPES, n=1)
        msg = f"unknown action '{kind}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        raise ActionFormError(msg + f" (allowed: {', '.join(ACTION_TYPES)})")
    payload = (
        {"target": args} if kind == "navigate" and not isinstance(args, dict) else (args or {})
    )
    if not isinstance(payload, dict):
        raise ActionFormError("expected a mapping of settings, e.g. {volume_ml: 4}", kind)
    return kind, args, ACTION_TYPES[kind], payload


def action_from_dict(item: object) -> Action:
    """The action an item in plan-file form stands for (the inverse of ``to_dict``).

    One parser for plan files and for recorded actions (:mod:`sim.records.replay`).

    Raises
    ------
    ActionFormError
        If the item is malformed or its settings are invalid (one-line message).
    """
    kind, _, cls, payload = split_action(item)
    try:
        return cls.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ActionFormError(
            f"{kind}{'.' + where if where else ''}: {first['msg']}", kind
        ) from None


def load_plan(path: str | Path) -> tuple[list[PlanStep], list[Problem]]:
    """Parse and validate a plan; returns steps, or problems (never raises for bad input)."""
    file = str(path)
    try:
        data, marks = load_yaml_file(path)
    except YamlProblem as exc:
        return [], [exc.problem]
    except OSError as exc:
        return [], [Problem(file, 1, 1, "", f"cannot read plan: {exc.strerror or exc}")]
    problems: list[Problem] = []
    extra = [k for k in data if k != "actions"]
    for k in extra:
        m = marks.locate_key((k,))
        problems.append(Problem(m.file, m.line, m.col, k, "unknown field (allowed: actions)"))
    items = data.get("actions")
    if not isinstance(items, list) or not items:
        line, col = marks.locate(("actions",))
        problems.append(Problem(file, line, col, "actions", "expected a non-empty list of actions"))
        return [], problems
    steps: list[PlanStep] = []
    for i, item in enumerate(items):
        m = marks.locate_mark(("actions", i))
        try:
            kind, args, cls, payload = split_action(item)
        except ActionFormError as exc:
            field = f"actions[{i}]" + (f".{exc.kind}" if exc.kind else "")
            problems.append(Problem(m.file, m.line, m.col, field, exc.message))
            continue
        try:
            action = cls.model_validate(payload)
        except ValidationError as exc:
            named = kind != "navigate" or isinstance(args, dict)  # a payload with fields
            prefix = ("actions", i, kind) if named else ("actions", i)
            sub = _sub_marks(marks, prefix, file)
            for pr in problems_from_validation_error(exc, sub, file, cls):
                field = f"actions[{i}].{kind}" + (f".{pr.field}" if pr.field and named else "")
                problems.append(Problem(pr.file, pr.line, pr.col, field, pr.message))
            continue
        steps.append(PlanStep(action, m.file, m.line, m.col, i))
    return steps, sorted(problems)


def _sub_marks(marks, prefix: tuple, file: str):
    """Marks of one action's payload, with paths relative to it."""
    n = len(prefix)
    vals = {p[n:]: m for p, m in marks.values.items() if p[:n] == prefix}
    keys = {p[n:]: m for p, m in marks.key_marks.items() if p[:n] == prefix}
    return Marks(file, vals, keys)


def visit_shelf(sc: Scenario, visit: int) -> list:
    """The agents offered in visit ``visit`` of a staged case (the case's shelf otherwise)."""
    v = sc.visits[visit] if visit < len(sc.visits) else None
    return v.agents_available if v is not None and v.agents_available else sc.agents_available


def agent_problem(sc: Scenario, action: object, visit: int = 0) -> str | None:
    """Why a ``select_agent`` does not fit the case (agent not offered in that visit, size not
    on its menu, a route for an embolic agent)."""
    offered = {opt.agent: opt for opt in visit_shelf(sc, visit)}
    agent = getattr(action, "agent", None)
    if agent not in offered:
        return f"'{agent}' is not offered by this case (allowed: {', '.join(offered)})"
    if getattr(action, "route", None) and AGENTS[agent].embolic:
        return f"route is for lu177_dotatate, a solution; {agent} goes from the catheter tip"
    size = getattr(action, "size_um", None)
    menu = [tuple(r) for r in (offered[agent].sizes_um or AGENTS[agent].sizes_um)]
    if size is not None and tuple(size) not in menu:
        sizes = ", ".join(f"{a:g}–{b:g}" for a, b in menu)
        shown = "–".join(f"{x:g}" for x in size)
        return f"size_um {shown} µm is not a {agent} size of this case (allowed: {sizes})"
    return None


def next_visit_problem(sc: Scenario, visit: int) -> str | None:
    """Why a ``next_visit`` after visit ``visit`` (0-based) does not fit the case."""
    if visit + 1 < max(1, len(sc.visits)):
        return None
    if not sc.visits:
        return "this case has one visit: next_visit needs a case with visits (allowed: finish)"
    return f"this case has {len(sc.visits)} visits: there is none after the last (allowed: finish)"


def plan_case_problems(sc: Scenario, steps: list[PlanStep]) -> list[Problem]:
    """Problems of a valid plan against its valid case, located at the step.

    The agents and sizes chosen must be offered by the case (in the visit the step falls in);
    ``next_visit`` needs a next visit. Time is not refused here: a plan may ask for more than
    the case's time limit (a fellow running over is a lesson, not a broken file); the engine
    ends the procedure at the limit, so no plan runs for hours.
    """
    out: list[Problem] = []
    visit = 0
    for st in steps:
        kind = getattr(st.action, "kind", "")
        why = None
        if kind == "select_agent":
            why = agent_problem(sc, st.action, visit)
        elif kind == "next_visit":
            why = next_visit_problem(sc, visit)
            visit += 1
        if why:
            out.append(st.problem(why))
    return out
