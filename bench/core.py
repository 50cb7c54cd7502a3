"""Benchmark of the headless core: tree flow solve, particle step, whole procedure.

Run from anywhere as ``python bench/core.py``; prints a table of figures and ends with three
summary lines (``name=value``). Timings use ``time.perf_counter``, warm up first and report the
median of several repeats.

What is measured, and the targets
---------------------------------
1. **Tree solve** on random binary trees of about 1k, 4k and 16k segments (a segment is any edge:
   vessels plus one terminal bed per leaf, each bed ending at its own fixed-pressure outlet; the
   root has a fixed pressure and one internal node takes a prescribed injection).
   ``TreeSolver.solve`` (solver built once, outside the timing) is compared with

   - a *pre-built* ``scipy.sparse`` solve: the reduced Laplacian (unknown nodes only, Dirichlet
     terms moved to the right-hand side) is assembled as CSC once, and only
     ``scipy.sparse.linalg.spsolve(A, b)`` is timed;
   - a naive networkx solve: ``nx.Graph`` with conductance weights, ``nx.laplacian_matrix``,
     slicing to the unknowns and ``spsolve``, all timed together.

   The three must agree (max relative pressure difference < 1e-8).
   **Target: tree solve >= 10x faster than the pre-built sparse solve at 16k segments.**
2. **Particle step**: ``Transport.step(DT)`` on the default anatomy with >= 20,000 packets of
   40-um bland spheres in flight (released at the tip in the right hepatic artery over several
   steps, so they are spread along the tree). The step is timed over 40 consecutive steps in a
   steady state (packets that ended are replaced, untimed, before each step), from the same saved
   state and generator each repeat, and reported per packet in flight. Baseline: the bare gather
   ``pos += velocity[edge] * dt`` on the same arrays. Both in ns per packet.
   **Target: particle step <= 3x the bare gather.**
3. **Procedure speed**: a whole headless procedure of >= 10 simulated minutes on the default
   scenario (navigate to the feeder of T1, bland 100-300 um in portions with contrast runs and
   waits, >= 4 mL injected, finish). Wall clock of the actions only (scenario loading and
   ``Procedure`` construction are reported separately).
   **Target: >= 60x faster than real time.** The expert plan ``scenarios/default.plan.yaml`` is
   timed the same way for reference.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402

from sim.actions import Contrast, Finish, Inject, Navigate, SelectAgent, Wait  # noqa: E402
from sim.engine.procedure import DT, Procedure  # noqa: E402
from sim.flow.network import Network  # noqa: E402
from sim.flow.solve import TreeSolver, reduced_system  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.scenario.plan import load_plan  # noqa: E402

SCENARIO = ROOT / "scenarios" / "default.yaml"
PLAN = ROOT / "scenarios" / "default.plan.yaml"
TREE_SIZES = (1_000, 4_000, 16_000)
MIN_PACKETS = 20_000
PROCEDURE_MIN_S = 600.0


# ---------------------------------------------------------------------- timing helpers
def median_time(
    fn: Callable[[], object],
    *,
    repeat: int,
    setup: Callable[[], object] | None = None,
    warmup: int = 2,
    min_batch_s: float = 0.0,
) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` repeats (``setup`` runs untimed).

    With ``min_batch_s`` > 0 (and no ``setup``) each repeat runs ``fn`` enough times in a row to
    last about that long, and the per-call mean of the batch is one sample.
    """
    for _ in range(warmup):
        if setup is not None:
            setup()
        fn()
    number = 1
    if min_batch_s > 0 and setup is None:
        t0 = time.perf_counter()
        fn()
        one = max(time.perf_counter() - t0, 1e-9)
        number = max(1, int(min_batch_s / one))
    samples = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def fmt_ratio(x: float) -> str:
    return f"{x:.1f}"


# ---------------------------------------------------------------------- 1. tree solve
def random_tree(n_segments: int, seed: int) -> tuple[Network, np.ndarray, np.ndarray]:
    """A random binary vessel tree with one bed edge per leaf, as a :class:`Network`.

    Leaves are split at random (a random-binary-search-tree shape, depth ~ log n). With L leaves
    there are 2L − 1 vessel edges and L bed edges, so L = (n_segments + 1) // 3. Node labels and
    edge order are shuffled and about half the vessel edges are stored child → parent, so the
    solver sees no convenient ordering. Returns the network, its conductances and its sources.
    """
    rng = np.random.default_rng(seed)
    n_leaves = max(2, (n_segments + 1) // 3)
    src: list[int] = [0]  # root edge: fixed-pressure root 0 → node 1
    dst: list[int] = [1]
    leaves = [1]
    n_nodes = 2
    for _ in range(n_leaves - 1):
        i = int(rng.integers(len(leaves)))
        parent = leaves[i]
        a, b = n_nodes, n_nodes + 1
        n_nodes += 2
        src += [parent, parent]
        dst += [a, b]
        leaves[i] = a
        leaves.append(b)
    internal = np.arange(1, n_nodes)  # every vessel node other than the root
    n_vessel = len(src)
    outlets = np.arange(n_nodes, n_nodes + len(leaves))
    src += leaves
    dst += outlets.tolist()
    n_nodes += len(leaves)
    e_from, e_to = np.array(src, np.int64), np.array(dst, np.int64)
    is_bed = np.zeros(e_from.size, bool)
    is_bed[n_vessel:] = True
    g = np.where(
        is_bed,
        10.0 ** rng.uniform(-11.5, -10.5, e_from.size),  # beds: lower conductance
        10.0 ** rng.uniform(-10.0, -8.5, e_from.size),  # vessels
    )
    flip = ~is_bed & (rng.random(e_from.size) < 0.5)
    e_from, e_to = np.where(flip, e_to, e_from), np.where(flip, e_from, e_to)
    # shuffle node labels and edge order
    perm = rng.permutation(n_nodes)
    e_from, e_to = perm[e_from], perm[e_to]
    order = rng.permutation(e_from.size)
    e_from, e_to, g = e_from[order], e_to[order], g[order]
    fixed = np.concatenate([[perm[0]], perm[outlets]])
    pfix = np.concatenate([[12_000.0], rng.uniform(600.0, 1_400.0, outlets.size)])
    source = np.zeros(n_nodes)
    source[perm[rng.choice(internal)]] = 2e-7  # a catheter tip injecting 12 mL/min
    net = Network(
        n_nodes=n_nodes,
        edge_from=e_from,
        edge_to=e_to,
        conductance=g,
        fixed_nodes=fixed,
        fixed_pressure=pfix,
        source=source,
    )
    return net, g, source


def networkx_solve(net: Network, g: np.ndarray, source: np.ndarray) -> np.ndarray:
    """The naive route: networkx graph → Laplacian → slice → spsolve (all of it timed)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(net.n_nodes))
    graph.add_weighted_edges_from(
        zip(net.edge_from.tolist(), net.edge_to.tolist(), g.tolist(), strict=True)
    )
    lap = nx.laplacian_matrix(graph, nodelist=range(net.n_nodes), weight="weight").tocsr()
    is_fixed = np.zeros(net.n_nodes, bool)
    is_fixed[net.fixed_nodes] = True
    unknown = np.flatnonzero(~is_fixed)
    fixed = np.flatnonzero(is_fixed)
    p = np.zeros(net.n_nodes)
    p[net.fixed_nodes] = net.fixed_pressure
    rows = lap[unknown]
    a_uu = rows[:, unknown].tocsc()
    rhs = source[unknown] - rows[:, fixed] @ p[fixed]
    p[unknown] = spla.spsolve(a_uu, rhs)
    return p


def max_rel_diff(p: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(p - ref) / np.maximum(np.abs(ref), 1e-300)))


def bench_tree() -> tuple[list[dict], float]:
    rows = []
    for k, n_seg in enumerate(TREE_SIZES):
        net, g, source = random_tree(n_seg, seed=1234 + k)
        assert net.is_tree()
        t0 = time.perf_counter()
        solver = TreeSolver(net)
        t_build = time.perf_counter() - t0
        mat, rhs, unknown, p_fixed = reduced_system(net, g, source)

        def sparse_only(mat=mat, rhs=rhs):
            return spla.spsolve(mat, rhs)

        p_tree, _ = solver.solve(g, source)
        p_sparse = p_fixed.copy()
        p_sparse[unknown] = sparse_only()
        p_nx = networkx_solve(net, g, source)
        d_sparse = max_rel_diff(p_tree, p_sparse)
        d_nx = max_rel_diff(p_nx, p_sparse)
        assert d_sparse < 1e-8, f"tree vs sparse differ by {d_sparse:.2e} at {n_seg} segments"
        assert d_nx < 1e-8, f"networkx vs sparse differ by {d_nx:.2e} at {n_seg} segments"

        t_tree = median_time(
            lambda solver=solver, g=g, source=source: solver.solve(g, source),
            repeat=25,
            warmup=3,
            min_batch_s=0.02,
        )
        t_sparse = median_time(sparse_only, repeat=25, warmup=3, min_batch_s=0.02)
        t_nx = median_time(
            lambda net=net, g=g, source=source: networkx_solve(net, g, source),
            repeat=7,
            warmup=1,
        )
        rows.append(
            {
                "segments": net.n_edges,
                "nodes": net.n_nodes,
                "unknowns": int(unknown.size),
                "levels": len(solver.levels),
                "build_s": t_build,
                "tree_s": t_tree,
                "sparse_s": t_sparse,
                "nx_s": t_nx,
                "diff": max(d_sparse, d_nx),
            }
        )
    ratio16 = rows[-1]["sparse_s"] / rows[-1]["tree_s"]
    return rows, ratio16


# ---------------------------------------------------------------------- 2. particle step
def bench_particles(scenario) -> dict:
    proc = Procedure(scenario)
    proc.apply(Navigate(target="RHA"))
    tr = proc.transport
    tip = proc.flow.tip
    # Release in waves so the population is spread from the tip down to the beds.
    per_wave, waves = 6_000, 12
    for _ in range(waves):
        tr.release(tip, "bland", np.full(per_wave, 40e-6), 1.0, 0.0, 0.0)
        tr.step(DT)
        tr.take_occlusion()
    released = per_wave * waves
    n_flight = tr.n_in_flight
    assert n_flight >= MIN_PACKETS, f"only {n_flight} packets in flight"
    snap = tr.snapshot()
    edge, pos = tr.positions()
    n_edges_busy = int(np.unique(edge).size)
    # how much of the population crosses a node during the timed step (from the flight plans)
    t0, t1 = tr.t, tr.t + DT
    slots, hop_t = tr.slots, tr.hops.t
    live = np.flatnonzero(slots.alive)
    off, n_hop, t_end = slots.hop_off[live], slots.n_hop[live], slots.t_end[live]
    k_now = np.zeros(live.size, np.int64)
    for j in range(1, int(n_hop.max())):
        has = j < n_hop
        k_now += has & (hop_t[np.where(has, off + j, 0)] <= t0)
    nxt = np.where(k_now + 1 < n_hop, hop_t[off + np.minimum(k_now + 1, n_hop - 1)], t_end)
    crossing = float(np.mean((nxt > t0) & (nxt <= t1)))
    ending = float(np.mean(t_end <= t1))

    # Steady state: 40 consecutive steps; before each (untimed) new packets replace those that
    # ended, so >= 20k stay in flight and the lazy compaction of finished packets is amortised
    # the way it is in a procedure.
    counts_after: list[int] = []
    runs: list[float] = []
    for _ in range(5):
        tr.restore(snap)
        tr.rng = np.random.default_rng(0)
        total_t, total_pk = 0.0, 0
        for _ in range(40):
            deficit = n_flight - tr.n_in_flight
            if deficit > 0:
                tr.release(tip, "bland", np.full(deficit, 40e-6), 1.0, 0.0, 0.0)
            tr.take_occlusion()
            n_before = tr.n_in_flight
            t_a = time.perf_counter()
            tr.step(DT)
            total_t += time.perf_counter() - t_a
            total_pk += n_before
            counts_after.append(tr.n_in_flight)
        runs.append(total_t / total_pk)
    step_ns_per_packet = statistics.median(runs) * 1e9
    assert min(counts_after) >= MIN_PACKETS, f"only {min(counts_after)} in flight"
    t_step = step_ns_per_packet * 1e-9 * n_flight

    pos_box: list[np.ndarray] = []
    v = tr.flights.velocity

    def gather_setup():
        pos_box[:] = [pos.copy()]

    def gather_call():
        p = pos_box[0]
        p += v[edge] * DT

    t_bare = median_time(gather_call, setup=gather_setup, repeat=201, warmup=5)
    tr.restore(snap)
    t_pos = median_time(lambda: tr.positions(), repeat=21, warmup=2)
    return {
        "released": released,
        "in_flight": n_flight,
        "in_flight_after": min(counts_after),
        "edges_busy": n_edges_busy,
        "crossing": crossing,
        "ending": ending,
        "step_ns": step_ns_per_packet,
        "bare_ns": t_bare / n_flight * 1e9,
        "positions_ns": t_pos / n_flight * 1e9,
        "step_s": t_step,
        "bare_s": t_bare,
        "ratio": t_step / t_bare,
    }


# ---------------------------------------------------------------------- 3. procedure speed
def long_plan() -> list:
    """Navigate to the T1 feeder; bland 100–300 µm in five 1-mL portions, contrast, waits."""
    actions: list = [
        Navigate(target="feeder:T1"),
        Contrast(volume_ml=3.0, rate_ml_s=1.0),
        SelectAgent(agent="bland", size_um=(100.0, 300.0)),
    ]
    for _ in range(5):
        actions += [
            Inject(volume_ml=1.0, rate_ml_min=1.0),  # 60 s
            Contrast(volume_ml=2.0, rate_ml_s=0.5),  # 4 s + 4 s washout
            Wait(seconds=55.0),
        ]
    return actions


def run_actions(proc: Procedure, actions: list, min_sim_s: float = 0.0) -> float:
    """Apply ``actions``, wait until ``min_sim_s`` simulated seconds, finish; wall seconds."""
    t0 = time.perf_counter()
    for a in actions:
        if proc.finished:
            break
        proc.apply(a)
    if not proc.finished:
        if proc.t < min_sim_s:
            proc.apply(Wait(seconds=min_sim_s - proc.t))
        proc.apply(Finish())
    return time.perf_counter() - t0


def bench_procedure(scenario) -> dict:
    t0 = time.perf_counter()
    proc = Procedure(scenario)
    t_construct = time.perf_counter() - t0
    wall = run_actions(proc, long_plan(), min_sim_s=PROCEDURE_MIN_S)
    injected = sum(proc.metrics.agent_ml.values())
    assert proc.t >= PROCEDURE_MIN_S, f"simulated only {proc.t:.0f} s"
    assert injected >= 4.0 - 1e-9, f"injected only {injected:.2f} mL"

    steps, problems = load_plan(PLAN)
    assert not problems, problems
    expert = Procedure(scenario)
    wall_expert = run_actions(expert, [s.action for s in steps])
    return {
        "construct_s": t_construct,
        "sim_s": proc.t,
        "wall_s": wall,
        "ticks": proc.tick,
        "injected_ml": injected,
        "solves": proc.flow.solves,
        "events": len(proc.events),
        "lodged": float(proc.transport.tallies().dep_count.sum()),
        "ratio": proc.t / wall,
        "expert_sim_s": expert.t,
        "expert_wall_s": wall_expert,
        "expert_ratio": expert.t / wall_expert,
    }


# ---------------------------------------------------------------------- main
def main() -> None:
    t_all = time.perf_counter()
    print("Siphon core benchmark")
    print(
        f"python {platform.python_version()}  numpy {np.__version__}  scipy {scipy.__version__}  "
        f"networkx {nx.__version__}  cpus {os.cpu_count()}  {platform.machine()} "
        f"{platform.system()}"
    )
    print()

    rows, tree_ratio = bench_tree()
    print("1. Tree solve (random binary trees; segments = vessel + bed edges)")
    head = (
        f"{'segments':>9} {'unknowns':>9} {'levels':>6} {'tree us':>9} {'ns/seg':>7} "
        f"{'sparse us':>10} {'ns/seg':>7} {'nx ms':>8} {'ns/seg':>8} "
        f"{'x sparse':>8} {'x nx':>7} {'max rel diff':>12}"
    )
    print(head)
    for r in rows:
        s = r["segments"]
        print(
            f"{s:>9} {r['unknowns']:>9} {r['levels']:>6} {r['tree_s'] * 1e6:>9.0f} "
            f"{r['tree_s'] / s * 1e9:>7.0f} {r['sparse_s'] * 1e6:>10.0f} "
            f"{r['sparse_s'] / s * 1e9:>7.0f} {r['nx_s'] * 1e3:>8.1f} "
            f"{r['nx_s'] / s * 1e9:>8.0f} {r['sparse_s'] / r['tree_s']:>8.1f} "
            f"{r['nx_s'] / r['tree_s']:>7.0f} {r['diff']:>12.1e}"
        )
    print(
        "   (TreeSolver construction, untimed above: "
        + ", ".join(f"{r['segments']}: {r['build_s'] * 1e3:.0f} ms" for r in rows)
        + ")"
    )
    print()

    scenario, problems = load_scenario(SCENARIO)
    assert scenario is not None, problems

    pk = bench_particles(scenario)
    print("2. Particle step (default anatomy, 40-um bland released at the RHA tip)")
    print(
        f"   packets released {pk['released']}, in flight {pk['in_flight']} "
        f"(never fewer than {pk['in_flight_after']} over 40 steady steps), on {pk['edges_busy']} "
        "edges, "
        f"{100 * pk['crossing']:.0f} % cross a node in the step, {100 * pk['ending']:.0f} % end "
        f"their flight in it"
    )
    print(
        f"   Transport.step(DT={DT})   {pk['step_s'] * 1e6:>9.0f} us  "
        f"{pk['step_ns']:>7.1f} ns/packet"
    )
    print(
        f"   bare gather pos+=v[e]*dt  {pk['bare_s'] * 1e6:>9.0f} us  "
        f"{pk['bare_ns']:>7.1f} ns/packet"
    )
    print(f"   step / bare gather        {pk['ratio']:>9.1f} x")
    print(
        f"   (positions for drawing, from the flight plans: {pk['positions_ns']:.1f} ns/packet; "
        "re-planning after a flow re-solve is counted in 3.)"
    )
    print()

    pr = bench_procedure(scenario)
    print("3. Procedure speed (default scenario)")
    print(f"   Procedure construction     {pr['construct_s']:>7.2f} s (not in the ratio)")
    print(
        f"   long plan: {pr['sim_s']:.1f} s simulated ({pr['ticks']} ticks), "
        f"{pr['injected_ml']:.2f} mL injected, {pr['solves']} flow solves, "
        f"{pr['events']} events, {pr['lodged']:.3g} spheres lodged"
    )
    print(
        f"   long plan wall             {pr['wall_s']:>7.2f} s  -> {pr['ratio']:.1f} x real time "
        f"({pr['wall_s'] / pr['ticks'] * 1e3:.2f} ms/tick)"
    )
    print(
        f"   expert plan (default.plan.yaml): {pr['expert_sim_s']:.1f} s simulated in "
        f"{pr['expert_wall_s']:.2f} s -> {pr['expert_ratio']:.1f} x real time"
    )
    print()

    targets = [
        ("tree solve vs pre-built sparse at 16k", tree_ratio, ">=", 10.0),
        ("particle step / bare gather", pk["ratio"], "<=", 3.0),
        ("procedure x real time", pr["ratio"], ">=", 60.0),
    ]
    print("Targets")
    for name, value, op, goal in targets:
        met = value >= goal if op == ">=" else value <= goal
        print(f"   {name:<40} {value:>8.1f}  target {op} {goal:g}  {'MET' if met else 'MISSED'}")
    print(f"   (benchmark wall time {time.perf_counter() - t_all:.0f} s)")
    print()
    print(f"tree_solve_speedup_vs_prebuilt_sparse_16k={fmt_ratio(tree_ratio)}")
    print(f"particle_step_over_bare_gather={fmt_ratio(pk['ratio'])}")
    print(f"procedure_speed_x_realtime={fmt_ratio(pr['ratio'])}")


if __name__ == "__main__":
    main()
