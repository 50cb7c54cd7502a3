"""The teaching suite's table: every case's expert plan against its alternatives (not a test).

Run from anywhere as ``python bench/teaching.py``: per case, the expert's score and the best
alternative's, on the given seeds (default 1), and the alternatives that break their class (an
equal plan beating the expert by more than the slack, a sub-optimal one not losing clearly, a
harmful one not failing). ``--all`` prints every alternative; ``--show CASE ALTERNATIVE``
prints an alternative as a plan file (for ``python main.py run CASE --plan FILE``);
``--quotes`` the share of the agent in tumour for the expert plan and its lobar alternative,
the numbers a case's text quotes beside the literature. The
alternatives and their classes are defined in ``bench/teaching_suite.py``;
``tests/test_teaching_suite.py`` asserts a subset of them in CI.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import teaching_suite as ts
import yaml


@functools.cache
def _case(stem: str) -> ts.Case:
    return ts.load_case(ts.SCENARIOS / f"{stem}.yaml")


def _alt(stem: str, name: str) -> ts.Alternative:
    return next(a for a in ts.alternatives(_case(stem)) if a.name == name)


def score(task: tuple[str, str | None, int]) -> tuple[str, str | None, int, float, float]:
    """(case, alternative or None for the expert, seed, score, wall seconds)."""
    stem, name, seed = task
    t0 = time.perf_counter()
    case = _case(stem)
    if name is None:
        out = ts.run(case, case.expert, seed)
    else:
        alt = _alt(stem, name)
        out = ts.run(case, alt.actions, seed, alt.lung_shunt_fraction)
    return stem, name, seed, out.score, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1], help="procedure seeds")
    ap.add_argument("--case", nargs="+", help="case stems (default: every case with a plan)")
    ap.add_argument("--all", action="store_true", help="print every alternative")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--show", nargs=2, metavar=("CASE", "ALTERNATIVE"), help="print a plan")
    ap.add_argument(
        "--quotes", action="store_true", help="agent in tumour: expert vs lobar, for case texts"
    )
    args = ap.parse_args(argv)
    stems = args.case or [p.stem for p in ts.expert_cases()]
    if args.quotes:
        for stem in stems:
            got = ts.selective_vs_lobar(_case(stem), args.seeds)
            if got:
                print(f"{stem:<26}expert {got[0]:6.1%}  lobar {got[1]:6.1%} of the agent in tumour")
        return 0
    if args.show:
        alt = _alt(*args.show)
        print(f"# {args.show[0]}: {alt.name} ({alt.kind}: {alt.why})")
        if alt.lung_shunt_fraction is not None:
            print(f"# run on the case with lung_shunt_fraction {alt.lung_shunt_fraction}")
        print(yaml.safe_dump({"actions": list(alt.actions)}, allow_unicode=True, sort_keys=False))
        return 0
    t0, runs, spent, broken = time.perf_counter(), 0, 0.0, 0
    pool = ProcessPoolExecutor(args.jobs) if args.jobs > 1 else None
    print(f"{'case':<26}{'expert':>8}  {'best alternative':<34}{'score':>7}  breaks", flush=True)
    for stem in stems:
        names = [None, *(a.name for a in ts.alternatives(_case(stem)))]
        tasks = [(stem, name, seed) for name in names for seed in args.seeds]
        results = list(pool.map(score, tasks) if pool else map(score, tasks))
        runs += len(results)
        spent += sum(r[4] for r in results)
        scores = {(n, seed): v for _, n, seed, v, _ in results}
        broken += _case_lines(stem, args.seeds, scores, args.all)
    if pool:
        pool.shutdown()
    print(
        f"\n{runs} runs, {spent:.0f} s of runs ({spent / runs:.2f} s each), "
        f"{time.perf_counter() - t0:.0f} s wall; {broken} alternatives break their class"
    )
    return 0


def _case_lines(stem: str, seeds: list[int], scores: dict, every: bool) -> int:
    """Print a case's line (and every alternative if asked); return how many break."""
    expert = {s: scores[(None, s)] for s in seeds}
    rows = []
    for a in ts.alternatives(_case(stem)):
        got = {s: scores[(a.name, s)] for s in seeds}
        why = [w for s in seeds if (w := ts.verdict(a.kind, expert[s], got[s]))]
        rows.append((a, got, why))
    rows.sort(key=lambda r: -sum(r[1].values()))
    bad = sum(1 for *_, why in rows if why)
    best, got, _ = rows[0]
    label = f"{best.name} ({best.kind})"
    mean = sum(expert.values()) / len(seeds)
    best_mean = sum(got.values()) / len(seeds)
    print(f"{stem:<26}{mean:8.1f}  {label:<34}{best_mean:7.1f}  {bad}/{len(rows)}", flush=True)
    if every:
        for a, got, why in rows:
            vals = " ".join(f"{got[s]:6.1f}" for s in seeds)
            print(f"    {a.kind:<11}{a.name:<34}{vals}  {why[0] if why else 'ok'}", flush=True)
    return bad


if __name__ == "__main__":
    sys.exit(main())
