import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Tests never write into the user's data folder, and parallel workers never share one: each
# test process gets its own (a test that needs another sets SIPHON_DATA_DIR itself).
_DATA = tempfile.TemporaryDirectory(prefix="siphon-tests-")
os.environ["SIPHON_DATA_DIR"] = _DATA.name

# The longest tests, longest first (CPU seconds on an idle machine in brackets): pytest-xdist
# workers take tests one at a time in collection order (the scheduler below), so these start
# first and the two workers finish together instead of one running a two-minute test alone at
# the end.
LONGEST_FIRST = (
    "test_kiosk.py::test_soak_",  # (≈95)
    "test_screens.py::test_nothing_is_cut_off[size2]",  # 4K (≈50)
    "test_fuzz_files.py::test_heavy_",
    "test_screens.py::test_nothing_is_cut_off",
    "test_teaching_suite.py::test_the_expert_plan_holds",
    "test_scenario_library.py::test_expert_plan_runs",
)
# Tests that share one expert run per case (tests/helpers.py ``expert_run``): the scheduler
# below sends a case's three to the same worker.
SHARED_EXPERT_RUN = (
    "test_golden.py::test_expert_plan_output_unchanged[{}-seed1]",
    "test_scenario_library.py::test_expert_plan_runs_clean_conserves_replays_and_beats_naive[{}]",
    "test_teaching_suite.py::test_the_expert_plan_holds_against_its_alternatives[{}]",
)


def _name(nodeid: str) -> str:
    return nodeid.rsplit("/", 1)[-1]


def _rank(item: pytest.Item) -> int:
    name = _name(item.nodeid)
    first = next((i for i, p in enumerate(LONGEST_FIRST) if name.startswith(p)), None)
    if first is not None:
        return first
    return len(LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)


def _unit(nodeid: str) -> str:
    """The scheduling unit of a test: its case's shared expert run, or the test alone."""
    name = _name(nodeid)
    for pattern in SHARED_EXPERT_RUN:
        head, tail = pattern.split("{}")
        if name.startswith(head) and name.endswith(tail):
            return "expert-run:" + name[len(head) : len(name) - len(tail)]
    return nodeid


def pytest_collection_modifyitems(config, items):
    """Longest tests first; a stable sort, so the rest keep their order."""
    items.sort(key=_rank)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``-n`` (and the default ``--dist load``): one test, or one case's shared-expert-run
    tests, at a time to whichever worker is free, in collection order.

    (pytest-xdist's ``loadgroup`` would do this with marks, but it renames the test ids through
    an attribute that pytest 9 no longer reads.)
    """
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneAtATime(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    config.option.loadscopereorder = False  # keep collection order: the longest first
    return OneAtATime(config, log)
