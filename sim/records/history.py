"""A trainee's progress from their records: cases played, best scores, trends, goals met.

Definitions (kept simple, and honest about what a score can tell):

- *best* — the highest score of the trainee's finished records of that case;
- *trend* — the last finished score minus the first (``None`` until a case is finished twice);
- *visits* — a staged case (mapping, then treatment) is one record whose outcome lists its
  visits; the listing names them under the record's line;
- *goals met* — a case's learning goals count as met once one finished record of it meets all
  of them: the outcome grades each goal on its own (``outcome["goals"]``, each ``{goal, met,
  reason}``; ``met`` None for a goal without a check). A record from before goals were graded
  (no graded goal) counts as met when it scores at least :data:`GOAL_SCORE` with no non-target
  deposit at all. ``goal_results`` are the last finished record's grades, goal by goal.

Headless: the command line prints :func:`format_history`; a window screen can show the same
:class:`TraineeSummary` objects. Names, ids, titles and goals come out with control characters
removed (:func:`~sim.records.model.printable`: no ANSI escape reaches a terminal), and a row the
store could not read (:attr:`Record.damage`) is listed as unreadable, never counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sim.records.model import printable, score_value
from sim.records.store import Record

GOAL_SCORE = 80.0  # score at or above which a clean case counts as its goals met (U)


@dataclass
class CaseSummary:
    """One trainee on one case."""

    scenario_id: str
    title: str
    played: int
    finished: int
    best: float | None
    first: float | None
    last: float | None
    trend: float | None
    goals: list[str] = field(default_factory=list)
    goals_met: bool = False
    goal_results: list[dict] = field(default_factory=list)  # {goal, met, reason}, last record


@dataclass
class TraineeSummary:
    """One trainee over all their records."""

    trainee: str
    records: int
    cases: list[CaseSummary]

    @property
    def goals_met(self) -> list[str]:
        """``"<case>: <goal>"`` for every learning goal met."""
        return [f"{c.scenario_id}: {g}" for c in self.cases if c.goals_met for g in c.goals]


def goal_met(outcome: dict | None) -> bool:
    """Whether one finished outcome meets its case's goals (see the module docstring)."""
    if not isinstance(outcome, dict):
        return False
    graded = [g.get("met") for g in graded_goals(outcome) if g.get("met") is not None]
    if graded:
        return all(m is True for m in graded)
    score = score_value(outcome.get("score"))
    return score is not None and score >= GOAL_SCORE and not outcome.get("non_target")


def graded_goals(outcome: dict | None) -> list[dict]:
    """The outcome's goals as ``{goal, met, reason}`` dicts (text made printable); [] if none."""
    goals = outcome.get("goals") if isinstance(outcome, dict) else None
    if not isinstance(goals, list):
        return []
    out = []
    for g in goals:
        if isinstance(g, dict) and isinstance(g.get("goal"), str):
            met = g.get("met")
            reason = g.get("reason")
            out.append(
                {
                    "goal": printable(g["goal"]),
                    "met": met if isinstance(met, bool) else None,
                    "reason": printable(reason) if isinstance(reason, str) else "",
                }
            )
    return out


def goal_line(g: dict) -> str:
    """One graded goal as a line: a mark (✓ met, ✗ not, – not graded), the goal, the reason."""
    mark = {True: "✓", False: "✗"}.get(g.get("met"), "–")
    return f"{mark} {g.get('goal', '')} — {g.get('reason', '')}"


def _goal_text(g: object) -> str | None:
    if isinstance(g, dict):
        g = g.get("goal")
    return printable(g) if isinstance(g, str) else None


def _case_info(text: str) -> tuple[str, list[str]]:
    from sim.scenario.problems import YamlProblem
    from sim.scenario.yaml_strict import load_yaml_text

    try:
        data, _ = load_yaml_text(text, "scenario")
    except (YamlProblem, ValueError):
        return "", []
    title = data.get("title", "")
    goals = data.get("learning_goals") or []
    return (
        printable(title) if isinstance(title, str) else "",
        [t for t in map(_goal_text, goals) if t] if isinstance(goals, list) else [],
    )


def summarize(records: list[Record]) -> list[TraineeSummary]:
    """Per-trainee summaries, trainees in alphabetical order, cases by id.

    ``records`` may come in any order (the store lists newest first); first and last are by
    start time.
    """
    info: dict[str, tuple[str, list[str]]] = {}
    by_trainee: dict[str, list[Record]] = {}
    for r in records:
        by_trainee.setdefault(printable(r.trainee), []).append(r)
    out = []
    for trainee in sorted(by_trainee):
        recs = sorted(by_trainee[trainee], key=lambda r: (r.started_at, r.id))
        cases: dict[str, list[Record]] = {}
        for r in recs:
            cases.setdefault(printable(r.scenario_id), []).append(r)
        summaries = []
        for sid in sorted(cases):
            rs = cases[sid]
            done = [r for r in rs if r.status == "finished" and not r.damage]
            done = [r for r in done if r.score is not None]
            scores = [float(r.score) for r in done]
            latest = rs[-1]
            if latest.scenario_sha256 not in info:
                info[latest.scenario_sha256] = _case_info(latest.scenario_text)
            title, goals = info[latest.scenario_sha256]
            summaries.append(
                CaseSummary(
                    scenario_id=sid,
                    title=title,
                    played=len(rs),
                    finished=len(done),
                    best=max(scores) if scores else None,
                    first=scores[0] if scores else None,
                    last=scores[-1] if scores else None,
                    trend=round(scores[-1] - scores[0], 2) if len(scores) >= 2 else None,
                    goals=goals,
                    goals_met=any(goal_met(r.outcome) for r in done),
                    goal_results=graded_goals(done[-1].outcome) if done else [],
                )
            )
        out.append(TraineeSummary(trainee, len(recs), summaries))
    return out


MAX_VISITS = 3  # visits of a staged case (the schema's most; a forged outcome may list more)


def visit_kinds(outcome: object) -> list[str]:
    """The kinds of a staged case's visits as its outcome lists them (``["mapping",
    "treatment"]``); [] for a one-visit case or an outcome that does not say."""
    visits = outcome.get("visits") if isinstance(outcome, dict) else None
    if not isinstance(visits, list):
        return []
    kinds = [v.get("kind") if isinstance(v, dict) else None for v in visits[:MAX_VISITS]]
    return [printable(k, 12) if isinstance(k, str) else "?" for k in kinds]


def record_row(r: Record) -> dict:
    """The listing fields of one record (JSON-friendly); ``problem`` only for a damaged row;
    ``visits`` only for a staged case (its visits' kinds, in order)."""
    row = {
        "id": r.id,
        "date": printable(r.started_at),
        "trainee": printable(r.trainee),
        "case": printable(r.scenario_id),
        "mode": printable(r.mode),
        "status": printable(r.status),
        "score": None if r.damage else r.score,
    }
    if r.damage:
        row["problem"] = printable(r.damage)
    elif kinds := visit_kinds(r.outcome):
        row["visits"] = kinds
    return row


def history_json(records: list[Record]) -> dict:
    """``{"records": [...], "trainees": [...]}`` for ``history --json``."""
    return {
        "records": [record_row(r) for r in records],
        "trainees": [asdict(s) | {"goals_met": s.goals_met} for s in summarize(records)],
    }


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return printable(iso, 16)


def _num(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def format_history(records: list[Record]) -> str:
    """The readable ``history`` listing: one line per record, then one block per trainee."""
    status = {"in_progress": "in progress"}
    lines = [f"{'id':>5}  {'date':16}  {'trainee':12}  {'case':26}  {'mode':7}  "
             f"{'status':11}  score"]  # fmt: skip
    for r in records:
        row = record_row(r)
        lines.append(
            f"{r.id:>5}  {_when(r.started_at):16}  {(row['trainee'] or '-')[:12]:12}  "
            f"{row['case'][:26]:26}  {row['mode'][:7]:7}  "
            f"{status.get(r.status, row['status'])[:11]:11}  "
            f"{'unreadable' if r.damage else _num(r.score):>5}"
        )
        if row.get("visits"):
            lines.append(f"{'':>5}  {len(row['visits'])} visits: {' → '.join(row['visits'])}")
    if not records:
        lines.append("(no records)")
    for s in summarize(records):
        lines.append("")
        lines.append(f"{s.trainee or '(no name)'}: {s.records} record(s), {len(s.cases)} case(s)")
        for c in s.cases:
            lines.append(
                f"  {c.scenario_id:26} played {c.played:>2}  best {_num(c.best):>5}  "
                f"trend {_num(c.trend, True):>6}  goals {'met' if c.goals_met else 'not yet'}"
            )
            lines.extend(f"      {goal_line(g)}" for g in c.goal_results)
        met = s.goals_met
        lines.append(
            f"  learning goals met ({len(met)}):" if met else "  learning goals met: none yet"
        )
        lines.extend(f"    - {g}" for g in met)
    return "\n".join(lines)
