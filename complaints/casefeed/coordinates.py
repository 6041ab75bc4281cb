"""WGS84 ↔ GCJ-02 ↔ BD-09, converted at the boundary with a case system that uses them.

We store and speak WGS84. Chinese base maps use GCJ-02 (the national obfuscation, offsets of a
few hundred metres) or Baidu's BD-09 on top of it. The forward formulas are the published
ones; GCJ-02 → WGS84 has no closed form and is solved by fixed-point iteration (error well
under 1 cm after a few rounds). Outside China GCJ-02 equals WGS84.
"""

import math

from complaints.models import CoordinateSystem

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _outside_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if _outside_china(lat, lng):
        return lat, lng
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    guess_lat, guess_lng = lat, lng
    for _round in range(10):
        shifted_lat, shifted_lng = wgs84_to_gcj02(guess_lat, guess_lng)
        guess_lat += lat - shifted_lat
        guess_lng += lng - shifted_lng
        if abs(lat - shifted_lat) < 1e-9 and abs(lng - shifted_lng) < 1e-9:
            break
    return guess_lat, guess_lng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def from_wgs84(lat: float, lng: float, system: str) -> tuple[float, float]:
    """Our WGS84 point in the case system's coordinates."""
    if system == CoordinateSystem.GCJ02:
        return wgs84_to_gcj02(lat, lng)
    if system == CoordinateSystem.BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))
    return lat, lng


def to_wgs84(lat: float, lng: float, system: str) -> tuple[float, float]:
    """A point in the case system's coordinates, back in WGS84."""
    if system == CoordinateSystem.GCJ02:
        return gcj02_to_wgs84(lat, lng)
    if system == CoordinateSystem.BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))
    return lat, lng
