"""One seeded source of randomness, split into independent streams per subsystem.

A single :class:`numpy.random.SeedSequence` is spawned into one child generator per subsystem
in a fixed order, so a new draw in one subsystem never shifts another (DESIGN.md, determinism).
Nothing in the simulation may call the global ``random`` or ``np.random.*`` functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Order is part of the replay contract: append new streams at the end, never reorder.
STREAMS: tuple[str, ...] = ("tree", "tumors", "transport", "agents", "noise", "catheter")


@dataclass(frozen=True)
class Streams:
    """Independent generators, one per subsystem."""

    tree: np.random.Generator
    tumors: np.random.Generator
    transport: np.random.Generator
    agents: np.random.Generator
    noise: np.random.Generator
    catheter: np.random.Generator


def make_streams(seed: int) -> Streams:
    """Spawn the per-subsystem generators from one integer seed.

    Parameters
    ----------
    seed : int
        Non-negative seed (from the scenario or the command line).
    """
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return Streams(
        **{
            name: np.random.Generator(np.random.PCG64(c))
            for name, c in zip(STREAMS, children, strict=True)
        }
    )
