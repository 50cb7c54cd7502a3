"""Plan files: a YAML list of actions, validated with file:line:col errors.

```yaml
actions:
  - navigate: RHA
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

from sim.engine.actions import ACTION_TYPES
from sim.scenario.problems import Problem, YamlProblem, problems_from_validation_error


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


def load_plan(path: str | Path) -> tuple[list[PlanStep], list[Problem]]:
    """Parse and validate a plan; returns steps, or problems (never raises for bad input)."""
    from sim.scenario.yaml_strict import load_yaml_file

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
        if isinstance(item, str):
            kind, args = item, None
        elif isinstance(item, dict) and len(item) == 1:
            kind, args = next(iter(item.items()))
        else:
            problems.append(
                Problem(
                    m.file,
                    m.line,
                    m.col,
                    f"actions[{i}]",
                    "each action is one key, e.g. 'navigate: RHA' or 'finish'",
                )
            )
            continue
        if kind not in ACTION_TYPES:
            hint = difflib.get_close_matches(str(kind), ACTION_TYPES, n=1)
            msg = f"unknown action '{kind}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            problems.append(
                Problem(
                    m.file,
                    m.line,
                    m.col,
                    f"actions[{i}]",
                    msg + f" (allowed: {', '.join(ACTION_TYPES)})",
                )
            )
            continue
        cls = ACTION_TYPES[kind]
        payload = (
            {"target": args} if kind == "navigate" and not isinstance(args, dict) else (args or {})
        )
        if not isinstance(payload, dict):
            problems.append(
                Problem(
                    m.file,
                    m.line,
                    m.col,
                    f"actions[{i}].{kind}",
                    "expected a mapping of settings, e.g. {volume_ml: 4}",
                )
            )
            continue
        try:
            action = cls.model_validate(payload)
        except ValidationError as exc:
            prefix = (
                ("actions", i, kind)
                if kind != "navigate" or isinstance(args, dict)
                else ("actions", i)
            )
            sub = _sub_marks(marks, prefix, file)
            for pr in problems_from_validation_error(exc, sub, file, cls):
                field = f"actions[{i}].{kind}" + (
                    f".{pr.field}" if pr.field and kind != "navigate" else ""
                )
                problems.append(Problem(pr.file, pr.line, pr.col, field, pr.message))
            continue
        steps.append(PlanStep(action, m.file, m.line, m.col, i))
    return steps, sorted(problems)


def _sub_marks(marks, prefix: tuple, file: str):
    """Marks of one action's payload, with paths relative to it."""
    from sim.scenario.yaml_strict import Marks

    n = len(prefix)
    vals = {p[n:]: m for p, m in marks.values.items() if p[:n] == prefix}
    keys = {p[n:]: m for p, m in marks.key_marks.items() if p[:n] == prefix}
    return Marks(file, vals, keys)
