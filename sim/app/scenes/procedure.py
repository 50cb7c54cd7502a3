"""The procedure screen: a trainee's case, recorded as it happens, and the trainee's controls.

Every control turns into an engine action through the session (``Procedure.apply``); the
physics advances in fixed steps fed by real time × the time scale, capped per frame (a
"running slowly" flag shows when the machine cannot keep up). Drawing never changes the
simulation. Finishing opens the debrief; in a staged case's earlier visit it shows the visit's
results between the visits, then the next visit begins (:mod:`sim.engine.visits`).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.actions import Coil, Decline
from sim.app.scenes.case import CaseScene, open_session
from sim.app.session import SPEEDS
from sim.app.visit_text import between_visits_lines
from sim.engine.coils import PROXIMAL_HEPATIC
from sim.engine.final import staged_visits
from sim.engine.navigation import NavigationError
from sim.engine.visits import visit_of
from sim.scenario.load import LoadedCase
from sim.ui.inputs import Click, Input, Key, Wheel, WidgetEvent

KEY_COMMANDS = {
    "c": "contrast",
    "d": "dsa",
    "r": "roadmap",
    "o": "roadmap_opacity",
    "v": "cine",
    "n": "scan",
    "t": "teaching",
    "p": "pause",
    "s": "speed",
    "h": "help",
    "g": "agents",
    "f": "finish",
    "x": "coil",
    "a": "next_agent",
    "z": "next_size",
    "[": "rate_down",
    "]": "rate_up",
    ",": "setting0_down",
    ".": "setting0_up",
    ";": "setting1_down",
    "'": "setting1_up",
    "1": "carm_0",
    "2": "carm_1",
    "3": "carm_2",
    "4": "carm_3",
    "5": "carm_4",
    "j": "carm_rao",
    "l": "carm_lao",
    "i": "carm_cran",
    "k": "carm_caud",
}


class TraineeControls:
    """Keys, clicks and panel commands of someone steering the case.

    ``finish`` ends the case (F or the Finish button, or a decline chosen in the panel);
    ``blocked`` commands do nothing (the booth's countdown cannot be paused or sped up).
    """

    def __init__(
        self, scene: CaseScene, finish: Callable[[], None], blocked: tuple[str, ...] = ()
    ) -> None:
        self.scene = scene
        self.session = scene.session
        self.view = scene.view
        self.panel = scene.panel
        self.finish = finish
        self.blocked = blocked
        self._coil_asked: int | None = None  # the tip edge a first coil press asked about

    def command(self, name: str) -> None:
        """One place for what keys and buttons do."""
        s = self.session
        if name in self.blocked:
            return
        if self.view.command(name):
            if name.startswith("carm_") and self.panel is not None:
                self.panel.show_carm(self.view.arm.label)
            if name == "roadmap_opacity" and self.panel is not None:
                self.panel.show_contrast()
            return
        if name == "contrast":
            s.contrast()
        elif name == "pause":
            s.paused = not s.paused
        elif name == "speed":
            s.speed_i = (s.speed_i + 1) % len(SPEEDS)
            self.panel.show_speed()
        elif name == "finish":
            self.finish()
        elif name == "coil":
            self.coil()
        elif name.startswith("decline:"):
            self.decline(name.removeprefix("decline:"))
        elif name == "next_agent":
            self.panel.cycle_agent()
        elif name == "next_size":
            self.panel.cycle_size()
        elif name in ("rate_down", "rate_up"):
            s.set_rate(s.rate_ml_min + (0.5 if name == "rate_up" else -0.5))
            self.panel.show_rate()
        elif name.startswith("setting"):
            self.panel.step_setting(int(name[7]), 1.0 if name.endswith("_up") else -1.0)

    def coil(self) -> None:
        """Coils at the tip (X or the Coil button), asked twice since they close the vessel for
        good: the first press names it, a second with the tip still there deploys; what
        happened, or why not, is said."""
        s = self.session
        s.stop_injection()
        tip = s.proc.flow.tip_edge()
        if self._coil_asked != tip and len(s.proc.flow.catheter_edges) > 1:
            self._coil_asked = tip
            name = s.proc.c.names[tip]
            lost = (
                ": the liver beyond it is lost to the catheter" if name in PROXIMAL_HEPATIC else ""
            )
            s.say(f"Coil the {name}? It is closed for good{lost}. Press X again to deploy")
            return
        self._coil_asked = None
        try:
            s.proc.apply(Coil())
        except NavigationError as exc:
            s.say(str(exc))
            return
        s.say(next(e.detail for e in reversed(s.proc.events) if e.kind == "coil"))

    def decline(self, reason: str) -> None:
        """Decline the treatment for ``reason`` (the panel's menu): the debrief, or why not."""
        s = self.session
        s.stop_injection()
        try:
            s.proc.apply(Decline(reason=reason))
        except NavigationError as exc:
            s.say(str(exc))
            return
        self.finish()

    def handle(self, inp: Input) -> None:
        """A key or click on the procedure (Escape asks before leaving). While the calculator's
        target box is being typed in, keys are the box's (Escape leaves the box): typing 4 or F
        there must not turn the C-arm or finish the case."""
        s = self.session
        entry = self.panel.target_entry
        if isinstance(inp, Key) and entry is not None and entry.is_focused:
            if inp.down and inp.name == "escape":
                entry.unfocus()
            return
        if isinstance(inp, Key) and inp.down:
            k = inp.name
            if k == "space":
                s.start_injection()
            elif k in KEY_COMMANDS:
                self.command(KEY_COMMANDS[k])
            elif k == "escape":
                self.scene.confirm_leave = True
            elif k in ("up", "down"):
                s.advance(+1 if k == "up" else -1)
            elif k in ("left", "right") and s.cine is not None:
                s.cine.step(1 if k == "right" else -1, s.proc.t)
            elif k in ("return", "enter") and s.cine is not None:
                s.cine.toggle()
            elif k in ("left", "right"):
                s.turn(+1 if k == "right" else -1)
        elif isinstance(inp, Key) and inp.name == "space":
            s.stop_injection()
        elif isinstance(inp, Click) and inp.button == 1 and inp.down:
            if self.view.rect.collidepoint(inp.pos) and self.view.fluoro is not None:
                e = self.view.fluoro.pick(inp.pos)
                if e is not None:
                    s.navigate(f"#{e}")
        elif isinstance(inp, Click) and inp.button == 1:
            s.stop_injection()
        elif isinstance(inp, Wheel) and self.panel is not None:
            self.panel.scroll_events(inp.y)

    def ui_event(self, event: WidgetEvent) -> None:
        """The inject button (held), then the panel's own widgets and buttons."""
        if event.kind == "press_start":
            if event.element == self.panel.inject_btn:
                self.session.start_injection()
            return
        if event.kind == "pressed" and event.element == self.panel.inject_btn:
            self.session.stop_injection()
            return
        name = self.panel.ui_event(event)
        if name is not None:
            self.command(name)


class ProcedureScene(CaseScene):
    """A case in progress: session (recorded, catheter waiting in the CHA, the first agent
    prepared), view, panel and the trainee's controls; in exam mode when ``exam`` says so
    (default: the window's choice, ``App.exam``); ``proc``: the case already built."""

    def __init__(
        self,
        app,
        case: LoadedCase,
        seed: int | None = None,
        exam: bool | None = None,
        proc=None,
    ) -> None:
        exam = getattr(app, "exam", False) if exam is None else exam
        super().__init__(app, open_session(app, case, seed, proc=proc), exam=exam)
        self.controls = TraineeControls(self, self.finish)
        self.between: list[str] | None = None  # the between-visits screen, while it shows

    def finish(self) -> None:
        """F or the Finish button: the debrief, or in a staged case's earlier visit the
        between-visits screen (the mapping's results) and then the next visit."""
        if not self.session.has_next_visit():
            self.open_debrief()
            return
        self.session.next_visit()
        visits = staged_visits(self.proc)
        nxt = visit_of(self.proc.case, self.proc.visits.index)
        self.between = between_visits_lines(visits[:-1], visits[-1], nxt.days_after)
        self.resize(self.app.size)  # the panel shows the new visit's shelf

    def handle(self, inp: Input) -> None:
        if self.between is not None:
            if (isinstance(inp, Key) and inp.down and inp.name in ("return", "enter", "space")) or (
                isinstance(inp, Click) and inp.down
            ):
                self.between = None
            return
        if not self.leave_prompt(inp):
            self.controls.handle(inp)

    def ui_event(self, event: WidgetEvent) -> None:
        if self.between is None:
            self.controls.ui_event(event)

    def update(self, dt: float) -> None:
        if self.between is not None:  # the clock waits between the visits
            return
        self.session.update(dt)
        if self.proc.finished:  # the case's time limit ended it: straight to the debrief
            self.finish()

    def draw(self, surface) -> None:
        super().draw(surface)
        if self.between is not None:
            self.view.draw_box(surface, self.between)
