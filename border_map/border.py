"""The Durand Line: geometry, metric CRS, side polygons, distances and chainage.

The line is the OpenStreetMap-derived de facto Afghanistan–Pakistan boundary
shipped in ``geodata/durand_line.geojson`` (see geodata/SOURCES.md). Afghanistan
does not recognise it, and its position is approximate at the scale of the source.

Everything here is vectorised over NumPy arrays of longitudes and latitudes
(longitude first, always) and set up once per :class:`DurandLine`:

* distances: the nearest segment is found through an ``STRtree`` over the line's
  segments in a metric CRS centred on the border; the distance is then measured
  geodesically (pyproj ``Geod``) from the point to that nearest point, so the
  projection's scale error does not enter the result;
* side: prepared AF/PK polygons whose shared edge *is* the shipped line;
* chainage: geodesic kilometres along the line from the Iran tripoint.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, shape

from . import data
from .errors import GeodataError

# Lambert azimuthal equal-area centred on the middle of the border. Used to find
# the nearest point of the line; the reported distance is geodesic (see above).
BORDER_CRS = "+proj=laea +lat_0=33.2 +lon_0=67.7 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
GEOD = Geod(ellps="WGS84")
from .defaults import DEFAULT_BANDS_KM  # noqa: E402 - re-exported

SIDES = ("AF", "PK")
# A point this close to the line (a crossing, a boundary pillar) is on it: no side.
# Far below the line's own positional uncertainty, so it never hides a real side.
ON_LINE_KM = 0.05
# Below this many points one thread is faster than splitting the work.
_PARALLEL_MIN = 20_000
# Threads for nearest(); None: one per CPU. See set_threads().
_THREADS: int | None = None


def set_threads(n: int | None) -> None:
    """Limit the threads :meth:`DurandLine.nearest` uses in this process (None: one per CPU).

    Set 1 where the caller already runs one worker per core (a dask worker process),
    so the thread pool does not oversubscribe the machine.
    """
    global _THREADS
    if n is not None and int(n) < 1:
        raise ValueError(f"threads must be at least 1, not {n!r}")
    _THREADS = None if n is None else int(n)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="border-map")


@dataclass(frozen=True, slots=True)
class Nearest:
    """Per-point results of :meth:`DurandLine.nearest` (arrays of equal length)."""

    distance_km: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    chainage_km: np.ndarray
    segment: np.ndarray


def _as_xy(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return (np.atleast_1d(np.asarray(lon, dtype=float)),
            np.atleast_1d(np.asarray(lat, dtype=float)))


def _chunked(fn, lon: np.ndarray, lat: np.ndarray) -> list:
    """``fn(lon, lat)`` over chunks of the input on the thread pool (one call when small).

    Uses :func:`set_threads`' limit; results are in input order.
    """
    workers = _THREADS or os.cpu_count() or 1
    if len(lon) < _PARALLEL_MIN or workers == 1:
        return [fn(lon, lat)]
    return list(_pool().map(fn, np.array_split(lon, workers * 4),
                            np.array_split(lat, workers * 4)))


def _concat_nearest(parts: list[Nearest]) -> Nearest:
    if len(parts) == 1:
        return parts[0]
    return Nearest(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in Nearest.__dataclass_fields__))


class DurandLine:
    """The shipped line and everything derived from it, built once and reused."""

    def __init__(
        self,
        line: LineString,
        countries: dict[str, shapely.Geometry],
        properties=None,
        sectors: list[dict] | None = None,
    ):
        if line.geom_type != "LineString" or line.is_empty:
            raise GeodataError("the Durand Line must be one non-empty LineString")
        self.line = line
        self.properties = dict(properties or {})
        self.countries = dict(countries)
        self._to_m = Transformer.from_crs("EPSG:4326", BORDER_CRS, always_xy=True)
        self._to_ll = Transformer.from_crs(BORDER_CRS, "EPSG:4326", always_xy=True)
        ll = np.asarray(line.coords)[:, :2]
        x, y = self._to_m.transform(ll[:, 0], ll[:, 1])
        self._xy = np.column_stack([x, y])
        self.line_m = LineString(self._xy)
        starts, ends = self._xy[:-1], self._xy[1:]
        self._seg_start, self._seg_vec = starts, ends - starts
        self._seg_len2 = np.einsum("ij,ij->i", self._seg_vec, self._seg_vec)
        self._segments = shapely.linestrings(np.stack([starts, ends], axis=1))
        self._tree = shapely.STRtree(self._segments)
        # GEOS builds the tree on the first query: do it now, before any thread shares it
        self._tree.query_nearest(shapely.points(self._xy[:1]))
        # geodesic chainage at each vertex, km from the Iran tripoint (south-west end)
        _, _, seg_geod_m = GEOD.inv(ll[:-1, 0], ll[:-1, 1], ll[1:, 0], ll[1:, 1])
        self._chain_km = np.concatenate([[0.0], np.cumsum(seg_geod_m) / 1000.0])
        # sectors: [{"id", "name", "chainage_start_km", "chainage_end_km", ...}], by chainage
        self.sectors = sorted(sectors or [], key=lambda s: s["chainage_start_km"])
        self._sector_starts = np.array([s["chainage_start_km"] for s in self.sectors])
        self._sector_names = np.array([s["name"] for s in self.sectors] + [None], dtype=object)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_files(
        cls,
        line_path: str | Path,
        countries_path: str | Path,
        sectors_path: str | Path | None = None,
    ) -> DurandLine:
        try:
            line_doc = json.loads(Path(line_path).read_text(encoding="utf-8"))
            feat = line_doc["features"][0]
            line = shape(feat["geometry"])
            cdoc = json.loads(Path(countries_path).read_text(encoding="utf-8"))
            countries = {f["properties"]["iso_a2"]: shape(f["geometry"]) for f in cdoc["features"]}
            sectors = None
            if sectors_path is not None:
                sdoc = json.loads(Path(sectors_path).read_text(encoding="utf-8"))
                sectors = [f["properties"] for f in sdoc["features"]]
        except (OSError, ValueError, KeyError, IndexError, TypeError) as err:
            raise GeodataError(f"cannot read the shipped border geodata: {err}") from err
        return cls(line, countries, feat.get("properties"), sectors)

    @classmethod
    @functools.cache
    def default(cls) -> DurandLine:
        """The shipped line (cached: built once per process)."""
        return cls.from_files(
            data.geodata_path(data.DURAND_LINE),
            data.geodata_path(data.COUNTRIES),
            data.geodata_path(data.SECTORS),
        )

    # -- facts --------------------------------------------------------------------
    @property
    def length_km(self) -> float:
        """Geodesic length of the line."""
        return float(self._chain_km[-1])

    @property
    def source(self) -> str:
        return self.properties.get("source", "OpenStreetMap contributors")

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """lon/lat (degrees) to the border's metric CRS (metres)."""
        return self._to_m.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))

    # -- analysis -----------------------------------------------------------------
    def nearest(self, lon, lat) -> Nearest:
        """Nearest point of the line for each point, with geodesic distance and chainage.

        GEOS, pyproj, SciPy and NumPy release the GIL, so large inputs are split into
        chunks processed on a thread pool (about 1.9x on 2 cores).
        """
        lon, lat = _as_xy(lon, lat)
        return _concat_nearest(_chunked(self._nearest_chunk, lon, lat))

    def nearest_and_side(self, lon, lat) -> tuple[Nearest, np.ndarray]:
        """:meth:`nearest` and :meth:`side` in one pass over the thread pool.

        A point within :data:`ON_LINE_KM` of the line is on it: its side is None.
        """
        lon, lat = _as_xy(lon, lat)

        def chunk(a, b):
            near = self._nearest_chunk(a, b)
            side = self._side_chunk(a, b, self._thread_countries())
            side[near.distance_km < ON_LINE_KM] = None
            return near, side

        parts = _chunked(chunk, lon, lat)
        return _concat_nearest([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    # -- nearest segment ----------------------------------------------------------------
    # A k-d tree over points sampled along the line (every original vertex plus points at
    # most _KD_SPACING_M apart) finds the K nearest samples; the exact distance to the
    # segments they lie on gives a candidate. It is *certified* exact when the K-th sample
    # is far enough that no other segment can be closer: a segment none of whose samples
    # is among the K nearest has all its samples at >= R_K, so its distance is at least
    # sqrt(R_K^2 - spacing^2 / 4). Points that cannot be certified (sharp bends, several
    # stretches of the line at similar distance) go to GEOS's STRtree. Same results as
    # the STRtree alone (tested), several times faster.
    _KD_SPACING_M = 250.0
    _KD_K = 4
    _KD_LEAFSIZE = 128

    @functools.cached_property
    def _kd(self):
        try:
            from scipy.spatial import cKDTree
        except ImportError:  # pragma: no cover - scipy is a dependency; keep working without
            return None
        starts, vec = self._seg_start, self._seg_vec
        length = np.sqrt(self._seg_len2)
        pieces = np.maximum(1, np.ceil(length / self._KD_SPACING_M).astype(np.int64))
        seg_of = np.repeat(np.arange(len(starts)), pieces)
        first = np.concatenate([[0], np.cumsum(pieces)[:-1]])
        frac = (np.arange(len(seg_of)) - np.repeat(first, pieces)) / np.repeat(pieces, pieces)
        pts = starts[seg_of] + vec[seg_of] * frac[:, None]  # every segment's start + inner points
        pts = np.vstack([pts, self._xy[-1:]])
        seg_a = np.concatenate([seg_of, [len(starts) - 1]])
        # a segment's start vertex also ends the previous segment
        seg_b = np.where(frac == 0, np.maximum(seg_of - 1, 0), seg_of)
        seg_b = np.concatenate([seg_b, [len(starts) - 1]])
        return cKDTree(pts, leafsize=self._KD_LEAFSIZE, balanced_tree=False), seg_a, seg_b

    def _segment_distance2(self, x, y, seg):
        rel_x = x[:, None] - self._seg_start[seg, 0]
        rel_y = y[:, None] - self._seg_start[seg, 1]
        vx, vy = self._seg_vec[seg, 0], self._seg_vec[seg, 1]
        len2 = self._seg_len2[seg]
        t = np.clip((rel_x * vx + rel_y * vy) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
        dx, dy = rel_x - t * vx, rel_y - t * vy
        return dx * dx + dy * dy

    def _nearest_segment(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        seg = np.empty(len(x), dtype=np.int64)
        kd = self._kd
        todo = np.arange(len(x))
        if kd is not None and len(x):
            tree, seg_a, seg_b = kd
            k = min(self._KD_K, tree.n)
            dist_k, idx = tree.query(np.column_stack([x, y]), k=k)  # threads: see nearest()
            dist_k, idx = dist_k.reshape(len(x), k), idx.reshape(len(x), k)
            cand = np.concatenate([seg_a[idx], seg_b[idx]], axis=1)
            d2 = self._segment_distance2(x, y, cand)
            best = d2.argmin(axis=1)
            rows = np.arange(len(x))
            seg[:] = cand[rows, best]
            bound2 = dist_k[:, -1] ** 2 - self._KD_SPACING_M**2 / 4
            todo = np.flatnonzero(~(bound2 >= d2[rows, best]))
        if len(todo):
            pairs = self._tree.query_nearest(shapely.points(x[todo], y[todo]), all_matches=False)
            seg[todo[pairs[0]]] = pairs[1]
        return seg

    def _nearest_chunk(self, lon: np.ndarray, lat: np.ndarray) -> Nearest:
        x, y = self._to_m.transform(lon, lat)
        seg = self._nearest_segment(np.asarray(x), np.asarray(y))
        # foot of the perpendicular on the nearest segment, clamped to its ends
        rel = np.column_stack([x, y]) - self._seg_start[seg]
        vec = self._seg_vec[seg]
        len2 = self._seg_len2[seg]
        t = np.clip(np.einsum("ij,ij->i", rel, vec) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
        foot = self._seg_start[seg] + vec * t[:, None]
        flon, flat = self._to_ll.transform(foot[:, 0], foot[:, 1])
        # the distance itself is geodesic: the projection only chose the nearest point
        _, _, dist_m = GEOD.inv(lon, lat, flon, flat)
        chain = self._chain_km[seg] + t * (self._chain_km[seg + 1] - self._chain_km[seg])
        return Nearest(np.abs(dist_m) / 1000.0, np.asarray(flon), np.asarray(flat), chain, seg)

    def distance_km(self, lon, lat) -> np.ndarray:
        """Geodesic distance from each point to the line, in km."""
        return self.nearest(lon, lat).distance_km

    def sector_at(self, chainage_km) -> np.ndarray:
        """Name of the sector at each chainage (km from the Iran tripoint); None for NaN."""
        c = np.atleast_1d(np.asarray(chainage_km, dtype=float))
        if not len(self.sectors):
            return np.full(len(c), None, dtype=object)
        idx = np.searchsorted(self._sector_starts, c, side="right") - 1
        idx = np.where(np.isnan(c), len(self.sectors), np.clip(idx, 0, len(self.sectors) - 1))
        return self._sector_names[idx]

    # -- fast bands -------------------------------------------------------------------
    # Band membership without a distance for every point: buffers of a simplified line,
    # shrunk and grown by a margin that covers the simplification, the buffer's chord
    # error and the projection's scale error, classify most points exactly by
    # point-in-polygon; only points in the thin annulus between get an exact distance.
    _FAST_SIMPLIFY_M = 500.0
    _FAST_QUAD_SEGS = 16
    _LAEA_SCALE_ERROR = 0.002  # |projected - geodesic| / distance, measured <= 0.0015

    @functools.cached_property
    def _fast_base(self):
        return shapely.simplify(self.line_m, self._FAST_SIMPLIFY_M)

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one DurandLine per process
    def _band_polygons(self, bands_km: tuple[float, ...]):
        chord = 1 - np.cos(np.pi / (4 * self._FAST_QUAD_SEGS))
        out = []
        for km in sorted(bands_km, reverse=True):
            r = km * 1000.0
            margin = self._FAST_SIMPLIFY_M + r * (chord + self._LAEA_SCALE_ERROR) + 10.0
            outer = self._fast_base.buffer(r + margin, quad_segs=self._FAST_QUAD_SEGS)
            inner = self._fast_base.buffer(max(r - margin, 0.0), quad_segs=self._FAST_QUAD_SEGS)
            out.append((km, shapely.to_wkb(outer), shapely.to_wkb(inner)))
        return out

    def _local_geoms(self, key, make):
        """Per-thread prepared geometries: a prepared GEOS geometry must never be queried
        from two threads at once (it aborts the process), so each thread gets its own."""
        local = self.__dict__.setdefault("_thread_local", threading.local())
        cache = local.__dict__.setdefault("geoms", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def _thread_band_polygons(self, bands):
        def make():
            out = []
            for km, outer, inner in self._band_polygons(bands):
                outer, inner = shapely.from_wkb(outer), shapely.from_wkb(inner)
                shapely.prepare(outer)
                shapely.prepare(inner)
                out.append((km, outer, inner))
            return out

        return self._local_geoms(("bands", bands), make)

    def _thread_countries(self):
        def make():
            out = {}
            for iso, geom in self.countries.items():
                g = shapely.from_wkb(shapely.to_wkb(geom))
                shapely.prepare(g)
                out[iso] = g
            return out

        return self._local_geoms("countries", make)

    def band_fast(self, lon, lat, bands_km=DEFAULT_BANDS_KM) -> np.ndarray:
        """Same result as ``band_km(self.distance_km(lon, lat), bands_km)``, much faster."""
        return self.side_and_band(lon, lat, bands_km)[1]

    def side_and_band(self, lon, lat, bands_km=DEFAULT_BANDS_KM) -> tuple[np.ndarray, np.ndarray]:
        """(side, band_km) per point without computing every distance; on the thread pool,
        each thread with its own prepared geometries."""
        lon, lat = _as_xy(lon, lat)
        bands = tuple(sorted(float(b) for b in bands_km))
        self._band_polygons(bands)  # build once, outside the workers

        def chunk(a, b):
            return self._side_chunk(a, b, self._thread_countries()), self._band_chunk(a, b, bands)

        parts = _chunked(chunk, lon, lat)
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))

    def _band_chunk(self, lon, lat, bands) -> np.ndarray:
        polys = self._thread_band_polygons(bands)
        x, y = self._to_m.transform(lon, lat)
        out = np.full(len(lon), np.nan)
        undecided = np.zeros(len(lon), dtype=bool)
        cand = np.arange(len(lon))
        for km, outer, inner in polys:  # widest first: each band only sees points inside the last
            maybe = shapely.contains_xy(outer, x[cand], y[cand])
            sure = shapely.contains_xy(inner, x[cand], y[cand])
            out[cand[sure]] = km
            undecided[cand[maybe & ~sure]] = True
            cand = cand[maybe]
        idx = np.flatnonzero(undecided)
        if len(idx):
            out[idx] = band_km(self._nearest_chunk(lon[idx], lat[idx]).distance_km, bands)
        return out

    def side(self, lon, lat) -> np.ndarray:
        """'AF' or 'PK' for each point from the shipped polygons; None outside both."""
        lon, lat = _as_xy(lon, lat)
        parts = _chunked(lambda a, b: self._side_chunk(a, b, self._thread_countries()), lon, lat)
        return np.concatenate(parts)

    @staticmethod
    def _side_chunk(lon, lat, countries) -> np.ndarray:
        out = np.full(len(lon), None, dtype=object)
        todo = np.ones(len(lon), dtype=bool)
        for iso in SIDES:  # each point is tested only until a polygon contains it
            idx = np.flatnonzero(todo)
            inside = shapely.contains_xy(countries[iso], lon[idx], lat[idx])
            out[idx[inside]] = iso
            todo[idx[inside]] = False
        return out


def reference_distance_km(border: DurandLine, lon: float, lat: float,
                          step_m: float = 10.0) -> float:
    """Brute-force geodesic distance from one point to the line, for checking accuracy.

    The segments near the point are sampled every ``step_m`` metres along the
    geodesic and the minimum ``Geod.inv`` distance is returned. Slow (one point at a
    time); used by the tests and benchmarks/bench_accuracy.py, not by the analysis.
    """
    x, y = border.project([lon], [lat])
    d_proj = shapely.distance(border._segments, shapely.points(x[0], y[0]))
    near = np.flatnonzero(d_proj <= d_proj.min() + 2000)
    ll = np.asarray(border.line.coords)
    best = np.inf
    for i in near:
        (a_lon, a_lat), (b_lon, b_lat) = ll[i], ll[i + 1]
        _, _, seg_m = GEOD.inv(a_lon, a_lat, b_lon, b_lat)
        n = max(2, int(seg_m / step_m) + 2)
        pts = np.asarray(GEOD.npts(a_lon, a_lat, b_lon, b_lat, n, initial_idx=0, terminus_idx=0))
        _, _, d = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])
        best = min(best, float(d.min()))
    return best / 1000.0


def band_km(distance_km, bands_km=DEFAULT_BANDS_KM) -> np.ndarray:
    """The smallest band (km) that contains each distance; NaN beyond the widest."""
    bands = np.asarray(sorted(bands_km), dtype=float)
    d = np.asarray(distance_km, dtype=float)
    idx = np.searchsorted(bands, d, side="left")
    out = np.full(d.shape, np.nan)
    ok = idx < len(bands)
    out[ok] = bands[idx[ok]]
    return out
