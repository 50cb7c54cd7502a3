"""The fluoroscopy view's maps of one anatomy at one window size and angulation, built and kept.

:func:`build_maps` assembles the rasters of :mod:`sim.render.raster` (a few hundred ms at
1280×720, seconds at 4K). :func:`maps_for` keeps the last :data:`MAPS_KEPT` of them across views
and procedures, keyed by everything they are built from: the anatomy (a digest of the case
file, from which the procedure builds its tree and tumours), the window size, the angulation
and the vessel density. A second procedure of the same case, a window returning to a size, the
C-arm back at a preset: the same maps, not rebuilt. Maps are read only once built, so views
share them; the bound keeps a long-running booth's memory flat.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np

from sim.render.organs import vein_chords
from sim.render.projection import Projected
from sim.render.raster import (
    Geometry,
    Maps,
    bed_raster,
    edge_raster,
    edge_tracks,
    field_map,
    liver_mask,
    noise_bank,
    organ_patches,
    tissue_map,
)

MAPS_KEPT = 6  # maps kept across views and procedures (≈10 MB each at 1280×720, + 9 MB a size)
MAPS_KEPT_MB = 128.0  # ... and at most this much of them (one at 4K ≈ 150 MB): the oldest go

_kept: OrderedDict[tuple, Maps] = OrderedDict()
_lock = threading.Lock()  # a case may be built on a worker thread (the picker's progress)


def build_maps(
    proc, size: tuple[int, int], vessel_k: float, pr: Projected, same_size: Maps | None = None
) -> Maps:
    """All maps of a procedure's anatomy for one window size and one angulation ``pr`` (a few
    hundred ms; once per size and angulation). ``same_size``: maps of the same size at another
    angulation, whose field, vignette and noise are shared."""
    c = proc.c
    geo = Geometry(size)
    edge_id, gain = edge_raster(c, geo, vessel_k, pr.points)
    x, y, inside = liver_mask(geo, pr)
    bed_ids, bed_w, patches = bed_raster(c, proc.liver, geo, x, y, inside, pr)
    patches += organ_patches(c, x, y, pr)
    if same_size is not None and same_size.geo.low == geo.low:
        field, vignette, noise = same_size.field, same_size.vignette, same_size.noise
    else:
        field, vignette = field_map(geo)
        noise = noise_bank(geo)
    return Maps(
        geo=geo,
        edge_id=edge_id,
        edge_gain=gain,
        bed_ids=bed_ids[:, ::2, ::2].copy(),
        bed_w=bed_w[:, ::2, ::2].copy(),
        blush_patches=patches,
        bed_id=bed_ids[0],
        patches=[(win, ids[0], w.sum(axis=0)) for win, ids, w in patches],
        veins=vein_chords(*pr.grid_at_depth(x, y, 0.0)),
        tissue=tissue_map(c, geo, x, y, inside, pr),
        field=field,
        vignette=vignette,
        noise=noise,
        tracks=edge_tracks(c, geo, pr.points),
    )


def anatomy_key(proc) -> str:
    """The identity of a procedure's anatomy: the sha256 of its case file's content (the tree,
    the tumours and the anatomy's seed are all built from it, never from the procedure seed)."""
    return hashlib.sha256(proc.case.model_dump_json().encode("utf-8")).hexdigest()


def kept_mb() -> float:
    """Memory of the kept maps, MB (an array shared by several, like a size's noise, once)."""
    arrays: dict[int, int] = {}

    def walk(v) -> None:
        if isinstance(v, np.ndarray):
            arrays[id(v)] = v.nbytes
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    for m in _kept.values():
        walk(list(vars(m).values()))
    return sum(arrays.values()) / 2**20


def maps_for(proc, size: tuple[int, int], vessel_k: float, pr: Projected) -> Maps:
    """The maps of ``proc``'s anatomy at ``size`` seen from ``pr.arm``: kept ones when the same
    anatomy was drawn so before (by any view of any procedure), else built and kept."""
    key = (anatomy_key(proc), tuple(size), pr.arm, vessel_k)
    with _lock:
        m = _kept.get(key)
        if m is not None:
            _kept.move_to_end(key)
            return m
        same = next((o for o in reversed(_kept.values()) if o.geo.size == tuple(size)), None)
    m = build_maps(proc, size, vessel_k, pr, same)
    with _lock:
        _kept[key] = m
        while len(_kept) > 1 and (len(_kept) > MAPS_KEPT or kept_mb() > MAPS_KEPT_MB):
            _kept.popitem(last=False)
    return m


def forget_maps() -> None:
    """Drop every kept map (memory given back; the next view builds its own)."""
    with _lock:
        _kept.clear()
