"""Load scenarios: strict YAML → models → cross-checks; a whole library never fails as a whole.

``load_scenario`` returns the model or a list of :class:`Problem` (``file:line:col: field:
message``); ``load_library`` loads every ``*.yaml`` case in a folder (plans excluded) so one
broken file is listed with its errors while the rest still load.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from sim.agents import AGENTS
from sim.scenario.files import load_with_extends, validate_file
from sim.scenario.models import SEGMENTS, TRUNK_VESSELS, Scenario
from sim.scenario.problems import Problem

# Vessel names an instructor may override (named trunk plus derived sectoral/segmental arteries).
OVERRIDABLE_VESSELS = TRUNK_VESSELS + ("RA", "RP", "aLHA", "aRHA", "S1L") + SEGMENTS


@dataclass
class LoadedCase:
    """One library entry: its path, the model (None if broken) and its problems."""

    path: Path
    scenario: Scenario | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.problems


def load_scenario(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Validate one scenario file; never raises for bad input."""
    sc, problems = validate_file(path, Scenario)
    if sc is None:
        return None, problems
    _, marks = load_with_extends(path)
    extra = _cross_check(sc, marks, str(path))
    return (None, sorted(extra)) if extra else (sc, [])


def _at(marks, path: tuple, file: str, field_: str, msg: str, key: bool = False) -> Problem:
    m = marks.locate_key(path) if key else marks.locate_mark(path)
    return Problem(m.file if m.file else file, m.line, m.col, field_, msg)


def _cross_check(sc: Scenario, marks, file: str) -> list[Problem]:
    out: list[Problem] = []
    for name in sc.anatomy.vessels:
        if name not in OVERRIDABLE_VESSELS:
            hint = difflib.get_close_matches(name, OVERRIDABLE_VESSELS, n=1)
            msg = f"unknown vessel '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            out.append(
                _at(
                    marks,
                    ("anatomy", "vessels", name),
                    file,
                    f"anatomy.vessels.{name}",
                    msg + f" (allowed: {', '.join(OVERRIDABLE_VESSELS)})",
                    key=True,
                )
            )
    if not any(t.target for t in sc.tumors):
        out.append(
            _at(
                marks,
                ("tumors",),
                file,
                "tumors",
                "no tumour is marked as a target (set target: true on at least one)",
            )
        )
    ids = [t.id for t in sc.tumors]
    out += _repeats(marks, file, "tumors", ("tumors",), ids, "id", "tumour id")
    names = [ev.name for ev in sc.anatomy.extra_vessels]
    out += _repeats(
        marks, file, "anatomy.extra_vessels", ("anatomy", "extra_vessels"), names, "name", "name"
    )
    out += _extra_vessel_problems(sc, marks, file)
    out += _size_problems(sc, marks, file)
    out += _goal_problems(sc, marks, file)
    return out


def _goal_problems(sc: Scenario, marks, file: str) -> list[Problem]:
    """A goal's check names a tumour of the case; a Y-90 intent check needs the case's intent."""
    out: list[Problem] = []
    ids = [t.id for t in sc.tumors]
    for i, g in enumerate(sc.learning_goals):
        base = ("learning_goals", i, "check")
        if g.check is None:
            continue
        for kind in ("coverage", "tumor_dose"):
            cov = getattr(g.check, kind)
            if cov is not None and cov.tumor != "all" and cov.tumor not in ids:
                out.append(
                    _at(
                        marks,
                        (*base, kind, "tumor"),
                        file,
                        f"learning_goals[{i}].check.{kind}.tumor",
                        f"no tumour '{cov.tumor}' in this case (allowed: all, {', '.join(ids)})",
                    )
                )
        if g.check.y90_intent is not None and sc.y90_intent is None:
            out.append(
                _at(
                    marks,
                    (*base, "y90_intent"),
                    file,
                    f"learning_goals[{i}].check.y90_intent",
                    "the case declares no y90_intent (allowed: add y90_intent, or another check)",
                )
            )
    return out


def _repeats(marks, file: str, field_: str, base: tuple, values: list, key: str, what: str):
    """A problem at every repeat of a value that must be unique in a list."""
    out = []
    for i, v in enumerate(values):
        if v in values[:i]:
            first = values.index(v)
            out.append(
                _at(
                    marks,
                    (*base, i, key),
                    file,
                    f"{field_}[{i}].{key}",
                    f"{what} '{v}' is already used by {field_}[{first}] (allowed: each {what} "
                    "once)",
                )
            )
    return out


def _extra_vessel_problems(sc: Scenario, marks, file: str) -> list[Problem]:
    """Tumour and vessel names an extra vessel refers to exist; a collateral joins two vessels."""
    out: list[Problem] = []
    ids = [t.id for t in sc.tumors]
    built = _variant_vessels(sc.anatomy.michels)
    for i, ev in enumerate(sc.anatomy.extra_vessels):
        base = ("anatomy", "extra_vessels", i)
        if ev.name in built:
            out.append(
                _at(
                    marks,
                    base + ("name",),
                    file,
                    f"anatomy.extra_vessels[{i}].name",
                    f"'{ev.name}' is already a vessel of Michels type {sc.anatomy.michels}; "
                    "give the new vessel its own name",
                )
            )
        if ev.kind == "parasitized_phrenic" and ev.to_tumor not in ids:
            out.append(
                _at(
                    marks,
                    base + ("to_tumor",),
                    file,
                    f"anatomy.extra_vessels[{i}].to_tumor",
                    f"'{ev.to_tumor}' is not a tumour id (allowed: {', '.join(ids)})",
                )
            )
        if ev.kind == "collateral" and ev.from_vessel == ev.to_vessel and ev.from_vessel:
            out.append(
                _at(
                    marks,
                    base + ("to_vessel",),
                    file,
                    f"anatomy.extra_vessels[{i}].to_vessel",
                    f"a collateral joins two different vessels; it starts from "
                    f"'{ev.from_vessel}' too (allowed: any vessel but '{ev.from_vessel}')",
                )
            )
        elif ev.kind == "collateral":
            for k in ("from_vessel", "to_vessel"):
                v = getattr(ev, k)
                if v not in built:
                    msg = (
                        f"'{v}' is not a vessel of Michels type {sc.anatomy.michels} "
                        f"(allowed: {', '.join(built)})"
                    )
                    out.append(
                        _at(marks, base + (k,), file, f"anatomy.extra_vessels[{i}].{k}", msg)
                    )
    return out


def _size_problems(sc: Scenario, marks, file: str) -> list[Problem]:
    """Each size range a case offers is one of the product's catalogue sizes."""
    out: list[Problem] = []
    for i, opt in enumerate(sc.agents_available):
        for j, rng in enumerate(opt.sizes_um or []):
            lo, hi = rng
            menu = AGENTS[opt.agent].sizes_um
            if lo >= hi or (lo, hi) not in menu:
                out.append(
                    _at(
                        marks,
                        ("agents_available", i, "sizes_um", j),
                        file,
                        f"agents_available[{i}].sizes_um[{j}]",
                        f"{lo:g}–{hi:g} µm is not a {opt.agent} size (allowed: "
                        + ", ".join(f"{a:g}–{b:g}" for a, b in menu)
                        + ")",
                    )
                )
    return out


def _variant_vessels(michels: str) -> tuple[str, ...]:
    """Named vessels a collateral may join in this Michels type."""
    extra = {"III": ("SMA",), "IV": ("SMA",), "V": ("aLHA",), "VI": ("SMA", "aRHA")}
    base = tuple(v for v in OVERRIDABLE_VESSELS if v not in ("SMA", "IPA", "aLHA", "aRHA"))
    return base + extra.get(michels, ())


def load_library(folder: str | Path) -> list[LoadedCase]:
    """Load every case in ``folder`` (``*.yaml`` except ``*.plan.yaml``), sorted by name."""
    cases = []
    for p in sorted(Path(folder).glob("*.yaml")):
        if p.name.endswith(".plan.yaml"):
            continue
        sc, problems = load_scenario(p)
        cases.append(LoadedCase(p, sc, problems))
    return cases
