"""A case on screen, by composition: a headless session, its view and a control panel.

:class:`CaseScene` is the one base of the scenes that show a case (procedure, demo, playback,
the booth's attract loop and game). It wires the three parts together, lays them out, draws
them, asks before leaving and opens the debrief; the scenes add who acts (the trainee's
controls, a plan or a record driver) and how the case ends.
"""

from __future__ import annotations

from sim.app.scene import Scene
from sim.app.scenes.caseview import CaseView
from sim.app.scenes.panel import ControlPanel
from sim.app.session import LIVE, ProcedureSession, SessionSetup
from sim.render.canvas import Rect
from sim.scenario.load import LoadedCase
from sim.ui.inputs import Input, Key

LEAVE_PROMPT = ["Leave this case?", "Y = leave (not saved as finished)", "any other key = stay"]


def open_session(
    app, case: LoadedCase, seed: int | None = None, setup: SessionSetup = LIVE, proc=None
) -> ProcedureSession:
    """A session of ``case`` (built already when ``proc`` is given) recorded into ``app``'s
    store when ``setup`` says so (a store that cannot be opened, or a record that cannot
    begin, is noted on the app)."""
    store = app.records if setup.record_mode else None
    trainee = (app.settings.get("trainee", "") or "") if store is not None else ""
    session = ProcedureSession(case, seed, setup, store, trainee, proc)
    if session.record_problem:
        app.records_problem = session.record_problem
    return session


class CaseScene(Scene):
    """A scene showing ``session`` in a view, with a control panel unless ``panel`` is False.

    ``exam``: show only what a real room shows (no teaching overlay, no live non-target or
    delivered lung dose in the event list) until the debrief.
    """

    def __init__(
        self, app, session: ProcedureSession, panel: bool = True, exam: bool = False
    ) -> None:
        super().__init__(app)
        self.session = session
        self.case = session.case
        self.view = CaseView(app, session)
        self.panel = ControlPanel(app, session) if panel else None
        self.confirm_leave = False
        self.exam = False
        self.set_exam(exam)

    def set_exam(self, exam: bool) -> None:
        """Exam mode on or off for the view and the panel (no teaching button in exam)."""
        self.exam = self.view.exam = exam
        if exam:
            self.view.teaching = False
        if self.panel is not None:
            self.panel.exam = exam
            omit = tuple(c for c in self.panel.omit if c != "teaching")
            self.panel.omit = omit + (("teaching",) if exam else ())

    @property
    def proc(self):
        """The session's procedure."""
        return self.session.proc

    # ------------------------------------------------------------------ layout
    def resize(self, size) -> None:
        self.layout(size, max(self.app.px(330), 300))

    def layout(self, size, side_w: int) -> None:
        """The viewport left of a side column ``side_w`` pixels wide (the panel, if any)."""
        w, h = size
        self.view.layout(Rect(0, 0, w - side_w, h))
        if self.panel is not None:
            self.panel.build(w - side_w, side_w)
        self.side_w = side_w

    def draw(self, surface) -> None:
        self.view.draw_image(surface)
        if self.panel is not None:
            self.panel.draw(surface)
        self.view.draw_overlay(surface)
        self.view.draw_help(surface)
        if self.confirm_leave:
            self.view.draw_box(surface, LEAVE_PROMPT)

    # ------------------------------------------------------------------ leaving
    def leave(self) -> None:
        """Leaving a case unfinished saves it as abandoned (replayable to where it stopped)."""
        self.session.abandon()

    def request_quit(self) -> bool:
        self.confirm_leave = True
        return False

    def leave_prompt(self, inp: Input) -> bool:
        """While asking "leave this case?": Y or Enter leaves for the library, any other key
        stays. True when the event was the answer (or the question is open)."""
        if not self.confirm_leave:
            return False
        if isinstance(inp, Key) and inp.down and inp.name in ("y", "return"):
            self.session.stop_injection()
            self.go("picker")
        elif isinstance(inp, Key) and inp.down:
            self.confirm_leave = False
        return True

    def open_debrief(self, **extra) -> None:
        """Finish and open the debrief, with the first and last angiograms as the trainee saw
        them (drawn before the catheter is withdrawn); ``extra`` goes to the debrief."""
        self.session.stop_injection()
        before, after = self.view.angiograms()
        outcome, record_id = self.session.finish()
        self.go(
            "debrief",
            case=self.case,
            proc=self.proc,
            before=before,
            after=after,
            outcome=outcome,
            record_id=record_id,
            projections=self.view.projection_note(),
            **extra,
        )
