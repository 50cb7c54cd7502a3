"""The headless procedure: a fixed-step clock, actions in, events out.

``Procedure(scenario, seed)`` builds the anatomy (from the scenario's anatomy seed), calibrates
the flow, and waits for actions. Actions with a duration (inject, contrast, wait, navigate)
advance the clock in fixed steps of :data:`DT`; every applied action is recorded with its tick,
so the same scenario, seed and actions reproduce the same state bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from sim.actions import (
    Action,
    Contrast,
    Finish,
    Inject,
    Navigate,
    SelectAgent,
    SetInjection,
    StartContrast,
    Wait,
)
from sim.agents import AGENTS, draw_diameters_m
from sim.engine.anatomy_cache import case_anatomy
from sim.engine.coils import Coils, decision_steps
from sim.engine.dispense import Syringe, dispense, prepare, pushed_ml
from sim.engine.events import ContrastStarted, Event, Finished, Navigated, TimeUp, Wedge
from sim.engine.navigation import NavigationError, resolve_target
from sim.engine.peptide import PeptideTally, is_peptide, tip_rate_ml_min
from sim.engine.status import Metrics, Status
from sim.engine.steering import catheter_vessels
from sim.engine.visits import VisitLedger, apply_closures, next_visit, visit_scenario
from sim.engine.watch import STASIS_RESIDUAL, Watch
from sim.flow.catheter import WEDGE_FACTOR, annulus_factor
from sim.flow.model import FlowModel
from sim.rng import make_streams
from sim.scenario.models import Scenario
from sim.transport.contrast import ContrastRun, start_run
from sim.transport.packets import AGENT_IDS, Transport
from sim.units import bq_to_gbq, french_to_m, m_to_mm, ml_min_to_m3_s

DT = 0.05  # s: fixed physics step (20 Hz)
PACKETS_PER_ML = 2000.0  # packets released per mL of suspension (statistics vs speed, U)
RESOLVE_OCCLUSION = 0.02  # re-solve when some edge's occlusion moved this much
RESOLVE_EVERY_TICKS = 10  # … or this often while anything is lodging
NAVIGATE_S_PER_EDGE = 2.0  # fluoroscopy time to advance one segment (U, playability)
SETTLE_S = 30.0  # after finish, blood carries what is in flight this long at most
RELEASE_BATCH_TICKS = 5  # packets are planned in batches of a quarter second (speed)
TALLY_EVERY_TICKS = 20  # lung dose and systemic reflux are checked once a second
OBSERVE_EVERY_TICKS = 20  # observers (record sync) are called once a simulated second


def time_limit_tick(scenario: Scenario) -> int:
    """The tick at which the case's time limit (``limits.time_min``) ends the procedure."""
    return math.ceil(scenario.limits.time_min * 60.0 / DT)


class Procedure:
    """One procedure on one scenario.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Procedure seed (transport and size draws); default the scenario's ``seed``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.case = scenario  # the case file; self.scenario is the visit's (sim.engine.visits)
        self.seed = scenario.seed if seed is None else int(seed)
        self.streams = make_streams(self.seed)
        anatomy = case_anatomy(scenario)  # built once per case, shared by its procedures
        self.liver, self.c, self.territory = anatomy.liver, anatomy.c, anatomy.territory
        self.catheter_radius = french_to_m(scenario.catheter.french) / 2.0
        self.tick = 0
        self.log: list[tuple[int, Action]] = []  # (tick, action) as applied
        self.observers: list[Callable[[Procedure], None]] = []  # read it each simulated second
        self.visits = VisitLedger()
        self._begin_visit(visit_scenario(scenario, 0))

    def _begin_visit(self, scenario: Scenario) -> None:
        """A visit's own state: flow (with the carry's closures), transport, syringe, limits."""
        self.scenario = scenario
        self.flow = FlowModel(self.c)
        self.coils = Coils(self.c, self.flow)  # coil packs: the one place they live
        apply_closures(self)  # the coils of earlier visits
        self.transport = Transport(self.c, self.streams.transport)
        self.visit_tick0 = self.tick
        self.events: list[Event] = []
        self.agent = Syringe()  # what is drawn up (replaced, never changed in place)
        self.peptide = PeptideTally(self.c)  # Lu-177 DOTATATE given (not embolic)
        self.metrics = Metrics()
        self.injection_ml_min = self.contrast_m3_s = 0.0
        self.contrast_runs: list[ContrastRun] = []
        self.finished = False
        self.limit_tick = self.tick + time_limit_tick(scenario)
        self._closing = False  # finish has begun (its settling steps run no limit check)
        self._timed_out = False  # the limit ended it: what follows is not procedure time
        self._pending_occ, self._ticks_since_solve, self._packet_carry = 0.0, 0, 0.0
        self._batch: list[tuple] = []
        self._contrast_end_tick, self._wedged = 0, False
        self.watch = Watch(self.c, self.territory, scenario.scoring.lung_dose_limit_gy)
        self.tip_ref_flow = 0.0
        self.final_sace: int | None = None
        self._rest_tip: tuple[float, float] | None = None  # (tip flow, injection) sans contrast
        self._set_catheter(self.c.vessel_edges("coeliac"))

    # ------------------------------------------------------------------ clock
    @property
    def t(self) -> float:
        """Simulated time since the visit began, s."""
        return (self.tick - self.visit_tick0) * DT

    def apply(self, action) -> None:
        """Apply one action (recorded with its tick) and run its steps to the end (:meth:`stepwise`
        gives them one at a time); raises NavigationError if refused."""
        for _ in self.stepwise(action):
            pass

    def stepwise(self, action) -> Iterator[None]:
        """Apply one action, yielding after each simulation step it takes.

        Exhausting it is exactly :meth:`apply` — same log, same steps, same state — so a window
        can play a plan at any speed and still end where ``run`` ends. Raises NavigationError
        (before any step) if the action is refused. An action still running when the case's
        time limit ends the procedure (:meth:`step`) stops there.
        """
        if self.finished:
            raise NavigationError("the case is finished")
        if isinstance(action, Navigate):
            yield from self._navigate(action)  # logs itself once the target resolves
            return
        if action.kind == "next_visit":  # sim.engine.visits: logs itself if there is a next
            yield from next_visit(self, action)
            return
        if action.kind in ("coil", "decline"):  # sim.engine.coils: they log themselves
            return (yield from decision_steps(self, action, DT))
        self.log.append((self.tick, action))
        if isinstance(action, SelectAgent):
            self.agent = prepare(action)
            self._packet_carry = 0.0
        elif isinstance(action, Inject):
            yield from self._inject(action.volume_ml, action.rate_ml_min)
        elif isinstance(action, Contrast):
            yield from self._contrast(action.volume_ml, action.rate_ml_s)
        elif isinstance(action, Wait):
            yield from self._run(math.ceil(action.seconds / DT - 1e-9), fluoro=False)
        elif isinstance(action, Finish):
            yield from self._finish()
        elif isinstance(action, SetInjection):
            self.injection_ml_min = action.rate_ml_min
            if action.rate_ml_min > 0:
                self.watch.in_reflux = False
            self._resolve()
        elif isinstance(action, StartContrast):
            self._start_contrast(action.volume_ml, action.rate_ml_s)

    def step(self, fluoro: bool | None = None) -> None:
        """Advance the simulation by one fixed step.

        ``fluoro`` says whether the step counts as fluoroscopy time; ``None`` (the free-running
        clock of the window and of replays) counts it while injecting or running contrast.
        The step that reaches the case's time limit ends the procedure (a ``time_limit``
        event, then what :class:`~sim.actions.Finish` does); a finished procedure does not step.
        """
        if self.finished:
            return
        if fluoro is None:
            inject = tip_rate_ml_min(self.agent, self.injection_ml_min)  # 0 into a vein
            fluoro = inject > 0 or self.contrast_m3_s > 0
        if self.contrast_m3_s > 0 and self.tick >= self._contrast_end_tick:
            self.contrast_m3_s = 0.0
            self._resolve()
        self._release()
        self.transport.step(DT)
        inc = self.transport.take_occlusion()
        if inc.any():
            occ = self.flow.occlusion
            np.minimum(occ + inc, 1.0, out=occ)
            self._pending_occ = max(self._pending_occ, float(inc.max()))
            self._events(self.watch.deposits(self.t, inc))
        if self.tick % TALLY_EVERY_TICKS == 0 and not self.watch.aorta_reached:
            out = float(self.transport.tallies().out_count.sum())
            self._events(self.watch.systemic(self.t, out))
        self._ticks_since_solve += 1
        if self._pending_occ > RESOLVE_OCCLUSION or (
            self._pending_occ > 0 and self._ticks_since_solve >= RESOLVE_EVERY_TICKS
        ):
            self._resolve()
        if self.tick % TALLY_EVERY_TICKS == 0 and not self.watch.lung_warned:
            lung = float(self.transport.tallies().lung_activity.sum())
            self._events(self.watch.lung(self.t, lung))
        self.tick += 1
        if not self._timed_out:
            self.metrics.procedure_s = self.t
        if fluoro:
            self.metrics.fluoro_s += DT
        if self.observers and self.tick % OBSERVE_EVERY_TICKS == 0:
            for observe in self.observers:
                observe(self)
        if self.tick >= self.limit_tick and not self._closing:
            self._timed_out = True
            self._event(TimeUp(self.t, self.scenario.limits.time_min))
            for _ in self._finish():
                pass

    def _run(self, n: int, fluoro: bool = True) -> Iterator[None]:
        for _ in range(n):
            if self.finished:
                return
            self.step(fluoro)
            yield

    def run_to(self, tick: int) -> None:
        """Let the clock run freely up to ``tick`` (how a replay re-creates the window's frames)."""
        while self.tick < tick and not self.finished:
            self.step()

    # ------------------------------------------------------------------ flow
    def _resolve(self) -> None:
        self._release_batch()  # packets released under the old flow are planned on it first
        self.flow.set_injection(tip_rate_ml_min(self.agent, self.injection_ml_min))
        self.flow.injection_m3_s += self.contrast_m3_s
        self.flow.solve()
        if self.contrast_m3_s <= 0:
            e = self.flow.tip_edge()
            self._rest_tip = (float(self.flow.flow[e]), self.flow.injection_m3_s)
        self.transport.set_flow(self.flow.flow, self.flow.lumen_area())
        self._pending_occ = 0.0
        self._ticks_since_solve = 0
        self._check_flow_events()

    def _set_catheter(self, path: list[int]) -> None:
        self._release_batch()  # packets already released leave from the old tip
        self.flow.place_catheter(path, self.catheter_radius)
        saved_inj, saved_c = self.injection_ml_min, self.contrast_m3_s
        self.injection_ml_min, self.contrast_m3_s = 0.0, 0.0
        self._resolve()
        self.tip_ref_flow = max(float(self.flow.flow[self.flow.tip_edge()]), 1e-30)
        self.injection_ml_min, self.contrast_m3_s = saved_inj, saved_c
        self._wedged = False
        self.watch.new_tip()

    def residual_antegrade(self) -> float:
        """Outflow below the tip now over that at placement, same injection (0…1+).

        It describes the embolic endpoint: while a contrast push runs, the flow of the last
        solve without it is read (a routine contrast run does not move the SACE level).
        """
        if self.contrast_m3_s > 0 and self._rest_tip is not None:
            q, inj = self._rest_tip
        else:
            q, inj = float(self.flow.flow[self.flow.tip_edge()]), self.flow.injection_m3_s
        return max(q + inj, 0.0) / (self.tip_ref_flow + inj)

    def status(self) -> Status:
        """A frozen snapshot for screens (reflux, stasis, flow, syringe, fluoroscopy time)."""
        tip = self.flow.tip_edge()
        placed = tip >= 0
        return Status(
            t=self.t,
            finished=self.finished,
            tip_vessel=self.c.names[tip] if placed else None,
            wedged=self._wedged,
            in_reflux=self.watch.in_reflux,
            contrast_reflux=self.watch.contrast_refluxing and self.injection_ml_min <= 0,
            stasis_level=self.watch.stasis_level,
            antegrade=self.residual_antegrade() if placed else 1.0,
            sace_level=self.sace_level() if placed else None,
            injecting_ml_min=self.injection_ml_min,
            contrast_running=self.contrast_m3_s > 0,
            syringe=self.agent,
            drawn_up_empty=self.agent.empty,
            fluoro_s=self.metrics.fluoro_s,
        )

    def sace_level(self) -> int:
        """SACE I–IV from the residual antegrade flow (>75 % I, 50–75 II, 10–50 III, <10 IV; U)."""
        r = self.residual_antegrade()
        return 1 if r > 0.75 else 2 if r > 0.5 else 3 if r > STASIS_RESIDUAL else 4

    def _check_flow_events(self) -> None:
        e = self.flow.tip_edge()
        embolic = self.injection_ml_min > 0
        contrast = self.contrast_m3_s > 0
        endpoint = embolic and not contrast  # a contrast push is not an endpoint
        r = self.residual_antegrade() if endpoint else None
        q = float(self.flow.flow[e])
        self._events(self.watch.flow(self.t, self.c.names[e], q, embolic, contrast, r))

    # ------------------------------------------------------------------ actions
    def _navigate(self, action: Navigate) -> Iterator[None]:
        node, tight = resolve_target(
            self.c, self.flow, action.target, self.catheter_radius, self.liver.tumors, action.beyond
        )
        path = self.c.path_to(node)
        old = set(self.flow.catheter_edges.tolist())
        moved = len(set(path) ^ old)
        self.log.append((self.tick, action))
        self._set_catheter(path)
        vessel = self.c.names[path[-1]]
        self._event(Navigated(self.t, vessel, tuple(self.breadcrumb())))
        f = float(annulus_factor(self.c.radius[path[-1:]], self.catheter_radius)[0])
        self._wedged = f < WEDGE_FACTOR
        if self._wedged:  # antegrade flow is measured against the vessel's own, not the wedge's
            self.tip_ref_flow = max(self.flow.free_tip_flow(), 1e-30)
        if self._wedged or tight:
            diameter_mm = m_to_mm(2.0 * float(self.c.radius[path[-1]]))
            self._event(Wedge(self.t, vessel, diameter_mm, wedged=self._wedged))
        yield from self._run(math.ceil(NAVIGATE_S_PER_EDGE * max(moved, 1) / DT))

    def breadcrumb(self) -> list[str]:
        """Vessel names along the catheter, proximal first, without repeats."""
        return catheter_vessels(self.c, self.flow.catheter_edges.tolist())

    def _inject(self, volume_ml: float, rate_ml_min: float) -> Iterator[None]:
        self.injection_ml_min = rate_ml_min
        self.watch.in_reflux = False
        self._resolve()
        steps = volume_ml / pushed_ml(rate_ml_min, DT)
        n_full = int(steps)
        yield from self._run(n_full, fluoro=tip_rate_ml_min(self.agent, 1.0) > 0)
        if self.finished:
            return
        frac = steps - n_full
        if frac > 1e-9:
            self.injection_ml_min = rate_ml_min * frac
            self._resolve()
            self.step()
            yield
            if self.finished:
                return
        self.injection_ml_min = 0.0
        self._resolve()

    def _release(self) -> None:
        """Push this step's volume from the syringe and release its packets."""
        if self.injection_ml_min <= 0:
            return
        self.agent, dose = dispense(self.agent, pushed_ml(self.injection_ml_min, DT))
        if dose is None:
            return
        ag, dv = self.agent, dose.volume_ml
        self.metrics.oil_ml += dose.oil_ml  # 0 but for a cTACE emulsion
        self.metrics.agent_ml[ag.agent] = self.metrics.agent_ml.get(ag.agent, 0.0) + dv
        if is_peptide(ag):  # dissolved: no packets; the tally splits it by the flow
            tip = self.flow.tip_edge()
            where = self.c.names[tip] if tip >= 0 else ""
            self.peptide.add(ag, dose.vial_gbq, self.flow.flow, self.flow.tip, where)
            return
        if AGENTS[ag.agent].diagnostic:
            pass  # a mapping dose is no embolic endpoint and no treatment reflux
        elif self.watch.stasis_level >= 2:
            self.metrics.after_stasis_ml += dv
        elif self.watch.in_reflux and self.contrast_m3_s <= 0:
            self.metrics.reflux_ml += dv
        self._packet_carry += dv * PACKETS_PER_ML
        n = int(self._packet_carry)
        if n == 0:
            return
        self._packet_carry -= n
        diam = draw_diameters_m(ag.agent, ag.size_um, n, self.streams.agents)
        activity = dose.spheres / n * AGENTS[ag.agent].activity_per_sphere_bq
        self.metrics.activity_gbq += bq_to_gbq(activity * n)
        self.metrics.drug_mg += dose.drug_mg
        if self._batch and self._batch[0][0] != ag.agent:
            self._release_batch()
        self._batch.append((ag.agent, diam, dose.spheres / n, activity, dose.drug_mg / n, self.t))
        if len(self._batch) >= RELEASE_BATCH_TICKS:
            self._release_batch()

    def _release_batch(self) -> None:
        """Plan the packets released over the last few ticks in one go (each at its own time)."""
        if not self._batch:
            return
        agent = self._batch[0][0]
        diam = np.concatenate([b[1] for b in self._batch])
        rep = [b[1].size for b in self._batch]
        cols = [np.repeat([b[k] for b in self._batch], rep) for k in (2, 3, 4, 5)]
        self._batch = []
        self.transport.release(self.flow.tip, agent, diam, *cols[:3], t0=cols[3])

    def _contrast(self, volume_ml: float, rate_ml_s: float) -> Iterator[None]:
        """A blocking contrast run (plans): start, watch it run, then 4 s of washout."""
        self._start_contrast(volume_ml, rate_ml_s)
        while self.contrast_m3_s > 0 and not self.finished:
            self.step()
            yield
        yield from self._run(math.ceil(4.0 / DT))  # watch the washout under fluoroscopy (U)

    def _start_contrast(self, volume_ml: float, rate_ml_s: float) -> None:
        self._event(
            ContrastStarted(self.t, volume_ml, rate_ml_s, self.c.names[self.flow.tip_edge()])
        )
        rest = self.flow.flow.copy()
        self.watch.new_contrast_run()
        self.contrast_m3_s = ml_min_to_m3_s(rate_ml_s * 60.0)
        self._resolve()
        duration = volume_ml / rate_ml_s
        run = start_run(
            self.c,
            self.flow.flow,
            self.flow.pressure,
            self.flow.lumen_area(),
            self.flow.tip,
            self.contrast_m3_s,
            self.t,
            duration,
            flow_after=rest,
        )
        self.contrast_runs.append(run)
        self.metrics.contrast_ml += volume_ml
        self._contrast_end_tick = self.tick + math.ceil(duration / DT)

    def _finish(self) -> Iterator[None]:
        self._closing = True
        self.injection_ml_min = 0.0
        self._resolve()
        self.final_sace = self.sace_level() if self.flow.tip_edge() >= 0 else None
        self._set_catheter([])
        for _ in range(math.ceil(SETTLE_S / DT)):
            if self.transport.n_in_flight == 0:
                break
            self.step(fluoro=False)
            yield
        self.transport.lodge_all()  # what is still in flight is trapped in stagnant flow
        np.minimum(
            self.flow.occlusion + self.transport.take_occlusion(), 1.0, out=self.flow.occlusion
        )
        self._resolve()  # the final flow, from which ischaemia is read
        self.finished = True
        self._event(Finished(self.t))

    # ------------------------------------------------------------------ events
    def _event(self, event: Event) -> None:
        self.events.append(event)

    def _events(self, events: list[Event]) -> None:
        self.events.extend(events)


__all__ = ["Procedure", "DT", "AGENT_IDS", "NavigationError"]
