"""The fluoroscopy view's maps of one anatomy at one window size and angulation, built and kept.

:func:`build_maps` draws a case's tree, beds and tumours (:mod:`sim.render.raster`) over the
backdrop every case shares at that size and angulation (:mod:`sim.render.backdrop`, most of the
cost: a few hundred ms at 1280×720, seconds at 4K). :func:`maps_for` keeps both across views and
procedures in small LRUs (:class:`Kept`), keyed by everything they are built from: the anatomy
(:func:`~sim.engine.anatomy_cache.anatomy_key`, the parts of the case file its tree and
tumours are built from), the window size, the angulation and the vessel density. A second
procedure of the same case, a window back at a size, the C-arm back at a preset: the same maps,
not rebuilt; another case seen the same way: only its own vessels and beds drawn. Maps are read
only once built, so views share them; the bounds keep a long-running booth's memory flat.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

from sim.engine.anatomy_cache import anatomy_key
from sim.render.backdrop import Backdrop, build_backdrop
from sim.render.projection import Projected
from sim.render.raster import Maps, bed_raster, edge_raster, edge_tracks, organ_patches

T = TypeVar("T")


class Kept(Generic[T]):
    """A bounded LRU of built maps: at most ``count`` entries and ``mb`` megabytes of arrays
    (an array shared by several entries counted once); the newest entry always stays.

    Building happens outside the lock (a case may be opened on a worker thread, the picker's
    progress), so two threads may build the same entry once each; the later one is kept.
    """

    def __init__(self, count: int, mb: float) -> None:
        self.count, self.mb = count, mb
        self.entries: OrderedDict[tuple, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], T]) -> T:
        """The entry under ``key``, built by ``build()`` and kept when missing."""
        with self._lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
                return hit
        value = build()
        with self._lock:
            self.entries[key] = value
            while len(self.entries) > 1 and (
                len(self.entries) > self.count or self.megabytes() > self.mb
            ):
                self.entries.popitem(last=False)
        return value

    def newest(self, match: Callable[[T], bool]) -> T | None:
        """The most recently used entry for which ``match`` holds, or None."""
        with self._lock:
            return next((v for v in reversed(self.entries.values()) if match(v)), None)

    def megabytes(self) -> float:
        """Memory of the kept entries' arrays, MB (each array once)."""
        arrays: dict[int, int] = {}

        def walk(v) -> None:
            if isinstance(v, np.ndarray):
                arrays[id(v)] = v.nbytes
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x)

        for entry in self.entries.values():
            walk(list(vars(entry).values()))
        return sum(arrays.values()) / 2**20

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()


# A backdrop is ≈ 9 MB at 1280×720 (+ 9 MB of noise and field per size), ≈ 85 (+ 80) MB at 4K:
# the bound keeps two at 4K (a screen and the next) and four at smaller sizes
BACKDROPS = Kept[Backdrop](count=4, mb=384.0)
# A case's own maps are ≈ 4 MB at 1280×720, ≈ 35 MB at 4K (their backdrop's arrays counted too)
MAPS = Kept[Maps](count=8, mb=256.0)


def build_maps(proc, vessel_k: float, pr: Projected, bd: Backdrop) -> Maps:
    """All maps of a procedure's anatomy at ``pr``'s angulation over the backdrop ``bd`` of the
    window size and angulation: its vessels, beds, tumours and organs drawn (tens of ms)."""
    c, geo = proc.c, bd.geo
    x, y = geo.low_world_grid()
    edge_id, gain = edge_raster(c, geo, vessel_k, pr.points)
    bed_ids, bed_w, patches = bed_raster(c, proc.liver, bd, x, y, pr)
    patches += organ_patches(c, x, y, pr)
    return Maps(
        geo=geo,
        edge_id=edge_id,
        edge_gain=gain,
        bed_ids=bed_ids[:, ::2, ::2].copy(),
        bed_w=bed_w[:, ::2, ::2].copy(),
        blush_patches=patches,
        bed_id=bed_ids[0],
        patches=[(win, ids[0], w.sum(axis=0)) for win, ids, w in patches],
        veins=bd.veins,
        tissue=bd.tissue,
        field=bd.field,
        vignette=bd.vignette,
        noise=bd.noise,
        tracks=edge_tracks(c, geo, pr.points),
    )


def backdrop_for(size: tuple[int, int], pr: Projected, spine_x: float) -> Backdrop:
    """The backdrop at ``size`` seen from ``pr.arm`` (kept, shared by every case)."""
    size = (int(size[0]), int(size[1]))

    def build() -> Backdrop:
        same = BACKDROPS.newest(lambda b: b.geo.size == size)  # its field and noise are shared
        return build_backdrop(size, pr, spine_x, same)

    return BACKDROPS.get((size, pr.arm, spine_x), build)


def maps_for(proc, size: tuple[int, int], vessel_k: float, pr: Projected) -> Maps:
    """The maps of ``proc``'s anatomy at ``size`` seen from ``pr.arm``: kept ones when the same
    anatomy was drawn so before (by any view of any procedure), else built and kept."""
    size = (int(size[0]), int(size[1]))
    spine_x = float(proc.c.node_pos[proc.c.root][0])

    def build() -> Maps:
        return build_maps(proc, vessel_k, pr, backdrop_for(size, pr, spine_x))

    return MAPS.get((anatomy_key(proc.case), size, pr.arm, vessel_k), build)


def forget_maps() -> None:
    """Drop every kept map and backdrop (memory given back; the next view builds its own)."""
    MAPS.clear()
    BACKDROPS.clear()
