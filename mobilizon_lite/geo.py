"""Distances on the Earth: the box of latitudes and longitudes around a point, and the great-circle
distance (haversine), which SQL queries call as distance_km(): SQLite runs this module's function (db.py
registers it), PostgreSQL the same formula in SQL (DISTANCE_KM_SQL, created by a migration)."""
import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance between two points in degrees; None when a point has no coordinates."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_lat, half_lon = math.radians(lat2 - lat1) / 2, math.radians(lon2 - lon1) / 2
    a = math.sin(half_lat) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_lon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# distance_km() above, for PostgreSQL; STRICT: NULL when a point has no coordinates.
DISTANCE_KM_SQL = f"""CREATE OR REPLACE FUNCTION distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT 2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt(sin(radians(lat2 - lat1) / 2) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$"""


def bounding_box(lat, lon, radius_km):
    """(south, north, ranges of longitudes) holding every point within radius_km of (lat, lon): one
    range, or two when the box crosses the antimeridian; all longitudes near a pole."""
    delta_lat = radius_km / KM_PER_DEGREE
    south, north = max(-90.0, lat - delta_lat), min(90.0, lat + delta_lat)
    if south <= -90 or north >= 90:
        return south, north, [(-180.0, 180.0)]
    # The widest longitude span of the circle is at its most poleward latitude.
    delta_lon = min(180.0, delta_lat / math.cos(math.radians(max(abs(south), abs(north)))))
    west, east = lon - delta_lon, lon + delta_lon
    if delta_lon >= 180:
        return south, north, [(-180.0, 180.0)]
    if west < -180:
        return south, north, [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return south, north, [(west, 180.0), (-180.0, east - 360)]
    return south, north, [(west, east)]
