"""Discipline_Area blocks: cart (bounding box, projection, pixel resolution), geom (footprint
polygon) and disp (display direction), with element names from the IM 1.22 dictionaries.

A point position (rover or lander) is a ``cart:Bounding_Coordinates`` whose west equals east
and north equals south. A footprint polygon is ``geom:Footprint_Vertices``: one
``geom:Pixel_Intercept`` per image corner (``reference_pixel_location``), longitudes 0..360.
"""

from __future__ import annotations

import math
from datetime import datetime

from lunadc.model.product import BoundingBox
from lunadc.samples.labels import iso
from lunadc.samples.xmlkit import esc, num

MOON_RADII_KM = (1737.4, 1737.4, 1737.4)
CORNER_NAMES = (
    "Upper Left Corner",
    "Upper Right Corner",
    "Lower Right Corner",
    "Lower Left Corner",
)


def _local_ref(local_id: str, kind: str) -> str:
    return (
        "        <Local_Internal_Reference>\n"
        f"          <local_identifier_reference>{local_id}</local_identifier_reference>\n"
        f"          <local_reference_type>{kind}</local_reference_type>\n"
        "        </Local_Internal_Reference>\n"
    )


def _bounding(box: BoundingBox) -> str:
    return (
        "        <cart:Spatial_Domain>\n"
        "          <cart:Bounding_Coordinates>\n"
        f'            <cart:west_bounding_coordinate unit="deg">{num(box.west)}'
        "</cart:west_bounding_coordinate>\n"
        f'            <cart:east_bounding_coordinate unit="deg">{num(box.east)}'
        "</cart:east_bounding_coordinate>\n"
        f'            <cart:north_bounding_coordinate unit="deg">{num(box.north)}'
        "</cart:north_bounding_coordinate>\n"
        f'            <cart:south_bounding_coordinate unit="deg">{num(box.south)}'
        "</cart:south_bounding_coordinate>\n"
        "          </cart:Bounding_Coordinates>\n"
        "        </cart:Spatial_Domain>\n"
    )


def _geodetic(radii: tuple[float, float, float]) -> str:
    a, b, c = radii
    return (
        "            <cart:Geodetic_Model>\n"
        "              <cart:latitude_type>Planetocentric</cart:latitude_type>\n"
        f'              <cart:a_axis_radius unit="km">{num(a, 3)}</cart:a_axis_radius>\n'
        f'              <cart:b_axis_radius unit="km">{num(b, 3)}</cart:b_axis_radius>\n'
        f'              <cart:c_axis_radius unit="km">{num(c, 3)}</cart:c_axis_radius>\n'
        "              <cart:longitude_direction>Positive East</cart:longitude_direction>\n"
        "              <cart:coordinate_system_type>Body-fixed Rotating"
        "</cart:coordinate_system_type>\n"
        "            </cart:Geodetic_Model>\n"
    )


def cart_geographic(
    local_id: str,
    box: BoundingBox,
    description: str,
    *,
    radii: tuple[float, float, float] = MOON_RADII_KM,
    resolution_deg: float | None = None,
) -> str:
    """``cart:Cartography`` with a lon/lat box (a point when west == east, north == south)."""
    res = ""
    if resolution_deg is not None:
        res = (
            f'              <cart:latitude_resolution unit="deg">{num(resolution_deg, 8)}'
            "</cart:latitude_resolution>\n"
            f'              <cart:longitude_resolution unit="deg">{num(resolution_deg, 8)}'
            "</cart:longitude_resolution>\n"
        )
    return (
        "      <cart:Cartography>\n"
        f"{_local_ref(local_id, 'cartography_parameters_to_image_object')}"
        f"{_bounding(box)}"
        "        <cart:Spatial_Reference_Information>\n"
        "          <cart:Horizontal_Coordinate_System_Definition>\n"
        "            <cart:Geographic>\n"
        f"              <cart:geographic_description>{esc(description)}"
        "</cart:geographic_description>\n"
        f"{res}"
        "            </cart:Geographic>\n"
        f"{_geodetic(radii)}"
        "          </cart:Horizontal_Coordinate_System_Definition>\n"
        "        </cart:Spatial_Reference_Information>\n"
        "      </cart:Cartography>\n"
    )


def polar_stereographic() -> str:
    return (
        "              <cart:Map_Projection>\n"
        "                <cart:map_projection_name>Polar Stereographic</cart:map_projection_name>\n"
        "                <cart:Polar_Stereographic>\n"
        '                  <cart:longitude_of_central_meridian unit="deg">0'
        "</cart:longitude_of_central_meridian>\n"
        '                  <cart:latitude_of_projection_origin unit="deg">-90'
        "</cart:latitude_of_projection_origin>\n"
        "                  <cart:scale_factor_at_projection_origin>1"
        "</cart:scale_factor_at_projection_origin>\n"
        "                </cart:Polar_Stereographic>\n"
        "              </cart:Map_Projection>\n"
    )


def equirectangular(center_lon: float) -> str:
    return (
        "              <cart:Map_Projection>\n"
        "                <cart:map_projection_name>Equirectangular</cart:map_projection_name>\n"
        "                <cart:Equirectangular>\n"
        '                  <cart:standard_parallel_1 unit="deg">0</cart:standard_parallel_1>\n'
        f'                  <cart:longitude_of_central_meridian unit="deg">{num(center_lon, 3)}'
        "</cart:longitude_of_central_meridian>\n"
        "                </cart:Equirectangular>\n"
        "              </cart:Map_Projection>\n"
    )


def cart_projected(
    local_id: str,
    box: BoundingBox,
    projection: str,
    resolution_m: float,
    upper_left_m: tuple[float, float],
    *,
    radii: tuple[float, float, float] = MOON_RADII_KM,
) -> str:
    """``cart:Cartography`` of a map-projected image: box, projection, pixel resolution."""
    per_degree_m = radii[0] * 1000.0 * math.pi / 180.0
    scale = per_degree_m / resolution_m
    ul_x, ul_y = upper_left_m
    return (
        "      <cart:Cartography>\n"
        f"{_local_ref(local_id, 'cartography_parameters_to_image_object')}"
        f"{_bounding(box)}"
        "        <cart:Spatial_Reference_Information>\n"
        "          <cart:Horizontal_Coordinate_System_Definition>\n"
        "            <cart:Planar>\n"
        f"{projection}"
        "              <cart:Planar_Coordinate_Information>\n"
        "                <cart:planar_coordinate_encoding_method>Coordinate Pair"
        "</cart:planar_coordinate_encoding_method>\n"
        "                <cart:Coordinate_Representation>\n"
        f'                  <cart:pixel_resolution_x unit="m/pixel">{num(resolution_m, 4)}'
        "</cart:pixel_resolution_x>\n"
        f'                  <cart:pixel_resolution_y unit="m/pixel">{num(resolution_m, 4)}'
        "</cart:pixel_resolution_y>\n"
        f'                  <cart:pixel_scale_x unit="pixel/deg">{num(scale, 4)}'
        "</cart:pixel_scale_x>\n"
        f'                  <cart:pixel_scale_y unit="pixel/deg">{num(scale, 4)}'
        "</cart:pixel_scale_y>\n"
        "                </cart:Coordinate_Representation>\n"
        "              </cart:Planar_Coordinate_Information>\n"
        "              <cart:Geo_Transformation>\n"
        f'                <cart:upperleft_corner_x unit="m">{num(ul_x, 3)}'
        "</cart:upperleft_corner_x>\n"
        f'                <cart:upperleft_corner_y unit="m">{num(ul_y, 3)}'
        "</cart:upperleft_corner_y>\n"
        "              </cart:Geo_Transformation>\n"
        "            </cart:Planar>\n"
        f"{_geodetic(radii)}"
        "          </cart:Horizontal_Coordinate_System_Definition>\n"
        "        </cart:Spatial_Reference_Information>\n"
        "      </cart:Cartography>\n"
    )


def _intercept(location: str, lon: float, lat: float, indent: str) -> str:
    return (
        f"{indent}<geom:Pixel_Intercept>\n"
        f"{indent}  <geom:reference_pixel_location>{location}</geom:reference_pixel_location>\n"
        f'{indent}  <geom:pixel_latitude unit="deg">{num(lat)}</geom:pixel_latitude>\n'
        f'{indent}  <geom:pixel_longitude unit="deg">{num(lon)}</geom:pixel_longitude>\n'
        f"{indent}</geom:Pixel_Intercept>\n"
    )


def geom_footprint(
    start: datetime,
    stop: datetime,
    center: tuple[float, float],
    corners: tuple[tuple[float, float], ...],
) -> str:
    """``geom:Geometry`` with the image centre and its four corners (lon 0..360, lat)."""
    ring = "".join(
        _intercept(name, lon, lat, " " * 16)
        for name, (lon, lat) in zip(CORNER_NAMES, corners, strict=True)
    )
    return (
        "      <geom:Geometry>\n"
        "        <geom:Geometry_Orbiter>\n"
        f"          <geom:geometry_start_time_utc>{iso(start)}</geom:geometry_start_time_utc>\n"
        f"          <geom:geometry_stop_time_utc>{iso(stop)}</geom:geometry_stop_time_utc>\n"
        "          <geom:Surface_Geometry>\n"
        "            <geom:Surface_Geometry_Specific>\n"
        f"{_intercept('Center', center[0], center[1], ' ' * 14)}"
        "              <geom:Footprint_Vertices>\n"
        f"{ring}"
        "              </geom:Footprint_Vertices>\n"
        "            </geom:Surface_Geometry_Specific>\n"
        "          </geom:Surface_Geometry>\n"
        "        </geom:Geometry_Orbiter>\n"
        "      </geom:Geometry>\n"
    )


def display_settings(local_id: str) -> str:
    return (
        "      <disp:Display_Settings>\n"
        f"{_local_ref(local_id, 'display_settings_to_array')}"
        "        <disp:Display_Direction>\n"
        "          <disp:horizontal_display_axis>Sample</disp:horizontal_display_axis>\n"
        "          <disp:horizontal_display_direction>Left to Right"
        "</disp:horizontal_display_direction>\n"
        "          <disp:vertical_display_axis>Line</disp:vertical_display_axis>\n"
        "          <disp:vertical_display_direction>Top to Bottom"
        "</disp:vertical_display_direction>\n"
        "        </disp:Display_Direction>\n"
        "      </disp:Display_Settings>\n"
    )
