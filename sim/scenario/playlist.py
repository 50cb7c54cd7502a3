"""Workshop playlists: which cases a booth plays, for how long, in which language.

A playlist is a small YAML file (``playlists/workshop.yaml``) read with the same strict loader
and the same ``file:line:col: field: problem (allowed: …)`` messages as a scenario::

    title: "ECIO 2025 — beat the expert"
    language: en              # captions and booth screens: en, de, fr
    time_limit_min: 3         # the game's countdown
    idle_reset_s: 60          # no input this long: back to the attract loop
    cases:
      - scenario: ../scenarios/workshop_quick.yaml
      - scenario: ../scenarios/right_gastric_trap.yaml
        label: "The reflux trap"
        captions:             # one per plan step; ~ keeps the generated caption
          - "The right gastric artery arises from the LHA here"
          - ~

Paths are relative to the playlist. Every case must exist and validate, and so must its expert
plan (default ``<case>.plan.yaml`` beside it), which the attract loop plays; a problem in a
case is reported at the playlist entry that names it, followed by the case's own problems.

This module is part of the headless core: it never imports pygame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sim.scenario.files import validate_file
from sim.scenario.load import load_scenario
from sim.scenario.models import Scenario
from sim.scenario.plan import PlanStep, load_plan
from sim.scenario.problems import Problem, YamlProblem
from sim.scenario.yaml_strict import load_yaml_file

LANGUAGES: tuple[str, ...] = ("en", "de", "fr")
MAX_CAPTION_CHARS = 110  # two lines of booth-size type on a 1280-px-wide screen
MAX_TITLE_CHARS = 48  # one line of the leaderboard's heading
MAX_LABEL_CHARS = 32  # one line of a case card


def _fits(limit: int, what: str):
    """A validator refusing text longer than ``limit`` characters (it must fit the screen)."""

    def check(text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise ValueError(f"{what} is empty")
        if len(text) > limit:
            raise ValueError(
                f"{what} has {len(text)} characters; at most {limit} fit on the booth screen"
            )
        return text

    return AfterValidator(check)


Caption = Annotated[str, _fits(MAX_CAPTION_CHARS, "the caption")]


class PlaylistEntry(BaseModel):
    """One case of the playlist, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    scenario: str = Field(
        min_length=1,
        description="The case file, relative to the playlist "
        "(e.g. ../scenarios/workshop_quick.yaml).",
    )
    plan: str | None = Field(
        None,
        description="Expert plan the attract loop plays, relative to the playlist. "
        "Default: <case>.plan.yaml beside the case.",
    )
    label: Annotated[str, _fits(MAX_LABEL_CHARS, "the label")] | None = Field(
        None, description="Short name on the booth's cards and boards. Default: the case title."
    )
    captions: list[Caption | None] = Field(
        default_factory=list,
        description="Attract-loop caption for each plan step, in order; ~ (empty) keeps the "
        "generated caption. At most one per plan step.",
    )


class Playlist(BaseModel):
    """A booth's playlist, as written (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    title: Annotated[str, _fits(MAX_TITLE_CHARS, "the title")] = Field(
        "Siphon workshop", description="Leaderboard title shown at the booth."
    )
    language: Literal["en", "de", "fr"] = Field(
        "en", description="Language of the captions and the booth's screens."
    )
    time_limit_min: float = Field(
        3.0,
        ge=0.5,
        le=30,
        description="Countdown of a game, minutes (a case's own, shorter limit wins).",
    )
    idle_reset_s: float = Field(
        60.0,
        ge=10,
        le=600,
        description="Seconds without input before a game is abandoned "
        "and the attract loop returns.",
    )
    howto_s: float = Field(20.0, ge=5, le=60, description="How long the how-to is shown, s.")
    cases: list[PlaylistEntry] = Field(
        min_length=1, max_length=12, description="The cases, in attract-loop order."
    )


@dataclass(frozen=True)
class PlaylistCase:
    """A playlist entry resolved: the validated case, its expert plan and its captions."""

    scenario_path: Path
    plan_path: Path
    scenario: Scenario
    steps: tuple[PlanStep, ...]
    captions: tuple[str | None, ...]
    label: str

    @property
    def case_id(self) -> str:
        """The id the record store uses for this case (the file's stem)."""
        return self.scenario_path.stem

    def caption_for(self, index: int) -> str | None:
        """The instructor's caption for plan step ``index``, or ``None`` (generate one)."""
        return self.captions[index] if index < len(self.captions) else None


@dataclass(frozen=True)
class LoadedPlaylist:
    """A validated playlist with its cases resolved."""

    path: Path
    spec: Playlist
    cases: tuple[PlaylistCase, ...]

    def time_limit_s(self, case: PlaylistCase, minutes: float | None = None) -> float:
        """A game's countdown: ``minutes`` (command line) or the playlist's, capped by the case."""
        limit = self.spec.time_limit_min if minutes is None else minutes
        return 60.0 * min(limit, case.scenario.limits.time_min)


def _count(problems: list[Problem]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def _resolve(base: Path, rel: str) -> Path:
    return Path(os.path.normpath(base / rel))


def _entry_problems(
    index: int, entry: PlaylistEntry, folder: Path, marks, file: str
) -> tuple[PlaylistCase | None, list[Problem]]:
    """Resolve one entry; problems are located at the entry's ``scenario`` / ``plan`` value."""

    def at(key: tuple, field: str, message: str) -> Problem:
        m = marks.locate_mark(("cases", index, *key))
        return Problem(m.file or file, m.line, m.col, field, message)

    where = f"cases[{index}]"
    sc_path = _resolve(folder, entry.scenario)
    if not sc_path.is_file():
        looked = f" (looked for {sc_path})" if str(sc_path) != entry.scenario else ""
        return None, [
            at(
                ("scenario",),
                f"{where}.scenario",
                f"cannot find the case '{entry.scenario}'{looked}",
            )
        ]
    scenario, problems = load_scenario(sc_path)
    if scenario is None:
        head = at(
            ("scenario",),
            f"{where}.scenario",
            f"'{entry.scenario}' is not a valid case ({_count(problems)}; the first: "
            f"{problems[0]})",
        )
        return None, [head, *problems]
    if entry.plan is not None:
        plan_path, key = _resolve(folder, entry.plan), ("plan",)
    else:
        plan_path, key = sc_path.with_name(sc_path.stem + ".plan.yaml"), ("scenario",)
    field = f"{where}.{key[0]}"
    if not plan_path.is_file():
        hint = "" if entry.plan is not None else "; name one with 'plan:'"
        return None, [at(key, field, f"cannot find the expert plan {plan_path}{hint}")]
    steps, problems = load_plan(plan_path)
    if problems:
        head = at(
            key,
            field,
            f"the expert plan {plan_path.name} is not valid ({_count(problems)}; the first: "
            f"{problems[0]})",
        )
        return None, [head, *problems]
    if len(entry.captions) > len(steps):
        n = len(steps)
        return None, [
            at(
                ("captions", n),
                f"{where}.captions[{n}]",
                f"caption {n + 1} has no plan step to go with (the plan has {n} steps)",
            )
        ]
    label = entry.label or scenario.title
    case = PlaylistCase(sc_path, plan_path, scenario, tuple(steps), tuple(entry.captions), label)
    return case, []


def load_playlist(path: str | os.PathLike[str]) -> tuple[LoadedPlaylist | None, list[Problem]]:
    """Validate a playlist and every case and plan it names.

    Parameters
    ----------
    path : str or PathLike
        The playlist file; problems name it ``str(path)``.

    Returns
    -------
    playlist : LoadedPlaylist or None
        ``None`` if there is any problem.
    problems : list of Problem
        Sorted by file, line and column; empty on success. Never raises for bad input.
    """
    file = os.fspath(path)
    spec, problems = validate_file(file, Playlist, use_extends=False)
    if spec is None:
        return None, problems
    _, marks = load_yaml_file(file)
    folder = Path(file).resolve().parent
    cases: list[PlaylistCase] = []
    seen: dict[Path, int] = {}
    for i, entry in enumerate(spec.cases):
        case, found = _entry_problems(i, entry, folder, marks, file)
        problems += found
        if case is None:
            continue
        if case.scenario_path in seen:
            m = marks.locate_mark(("cases", i, "scenario"))
            problems.append(
                Problem(
                    m.file or file,
                    m.line,
                    m.col,
                    f"cases[{i}].scenario",
                    f"'{entry.scenario}' is already cases[{seen[case.scenario_path]}] (a case "
                    "is listed once; its leaderboard is one)",
                )
            )
            continue
        seen[case.scenario_path] = i
        cases.append(case)
    if problems:
        return None, sorted(set(problems))
    return LoadedPlaylist(Path(file), spec, tuple(cases)), []


def is_playlist(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file is meant as a playlist (it has a top-level ``cases:`` list)."""
    try:
        data, _ = load_yaml_file(path)
    except (YamlProblem, OSError):
        return Path(path).parent.name == "playlists"
    return "cases" in data and "tumors" not in data
