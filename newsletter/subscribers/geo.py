"""The municipalities as SVG paths, from the TopoJSON in reference/data (CBS 2023 borders).

Decoded once per process: arcs are delta-encoded and quantised; a ring is a list of arc
indices (~i means arc i reversed). Projected equirectangularly with the longitude scaled by
cos(52°), which is close enough for a country this small, and fitted into the view box.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "reference" / "data" / "gemeenten-2023.topo.json"
WIDTH = 560
MIN_STEP = 0.6  # px: closer points are dropped, which halves the size and changes nothing visible


@dataclass(frozen=True)
class Shape:
    code: str
    path: str  # SVG path data


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    shapes: tuple[Shape, ...]


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)  # consecutive arcs share their end point
    return points


@functools.cache
def netherlands() -> Map:
    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    k = math.cos(math.radians(52.2))
    polygons: dict[str, list[list[list[int]]]] = {}
    for geometry in topology["objects"]["gm_features"]["geometries"]:
        parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        polygons[geometry["properties"]["code"]] = parts
    rings = {
        code: [[_ring(ring, arcs) for ring in polygon] for polygon in parts]
        for code, parts in polygons.items()
    }
    xs = [p[0] * k for parts in rings.values() for poly in parts for ring in poly for p in ring]
    ys = [p[1] for parts in rings.values() for poly in parts for ring in poly for p in ring]
    scale = WIDTH / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale)
    x0, y1 = min(xs), max(ys)

    def project(point: tuple[float, float]) -> tuple[float, float]:
        return ((point[0] * k - x0) * scale, (y1 - point[1]) * scale)

    shapes = []
    for code, parts in sorted(rings.items()):
        commands = []
        for polygon in parts:
            for ring in polygon:
                kept: list[tuple[float, float]] = []
                for point in map(project, ring):
                    if not kept or math.dist(point, kept[-1]) >= MIN_STEP:
                        kept.append(point)
                if len(kept) >= 3:
                    commands.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
        shapes.append(Shape(code, "".join(commands)))
    return Map(WIDTH, height, tuple(shapes))
