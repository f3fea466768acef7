"""The strings the browser code shows, marked for translation and sent with each page.

Keys are what ``t("key")`` in frontend/src uses; ``{name}`` placeholders are filled in there.
"""

from __future__ import annotations

from gettext import GNUTranslations


def N_(text: str) -> str:
    return text


JS_MESSAGES: dict[str, str] = {
    "loading": N_("Loading…"),
    "error": N_("The node did not answer: {reason}"),
    "hits": N_("Results: {n}"),
    "hits_unknown": N_("Results: many"),
    "shown": N_("shown: {n}"),
    "no_results": N_("Nothing matches these filters."),
    "load_more": N_("Load more results"),
    "all_loaded": N_("All results are shown."),
    "facet_mission": N_("Mission"),
    "facet_instrument": N_("Instrument"),
    "facet_target": N_("Target"),
    "facet_processing_level": N_("Processing level"),
    "facet_product_class": N_("Product class"),
    "facet_node": N_("Home node"),
    "facet_access": N_("Access"),
    "nodes_answered": N_("Nodes that answered"),
    "node_ok": N_("answered"),
    "node_partial": N_("partial"),
    "node_down": N_("did not answer"),
    "region_none": N_("No region: the whole body."),
    "region_circle": N_("Circle: {lon}°, {lat}°, radius {r} km"),
    "region_polygon": N_("Polygon with {n} vertices"),
    "polygon_bad_vertex": N_("Vertex {i} is not a LON,LAT pair of numbers: {text}"),
    "polygon_bad_lon": N_("Vertex {i}: longitude {v} is outside −180…360."),
    "polygon_bad_lat": N_("Vertex {i}: latitude {v} is outside −90…90."),
    "polygon_too_few": N_("A polygon needs at least 3 vertices; {n} given."),
    "polygon_too_many": N_("A polygon may have at most {n} vertices."),
    "coverage_title": N_("Coverage of the circle"),
    "coverage_total": N_("Covered in total: {p}"),
    "coverage_best": N_("Best resolution: {v} m/pixel"),
    "coverage_products": N_("Covering products: {n}"),
    "coverage_none": N_("Draw a circle first."),
    "coverage_area": N_("Covered area: {covered} of {total} km²"),
    "coverage_col_products": N_("Products"),
    "coverage_col_best": N_("Best resolution (m/pixel)"),
    "coverage_instrument": N_("Instrument"),
    "coverage_fraction": N_("Covered"),
    "time": N_("Time"),
    "no_time": N_("no time given"),
    "signed_in_as": N_("Signed in as {name}"),
    "signin_failed": N_("This token was not accepted: {reason}"),
    "signin_ok": N_("Signed in as {name}. Your searches now include what you may see."),
    "need_admin": N_("This page needs an administrator. Sign in with an admin token."),
    "size_b": N_("{n} B"),
    "size_kb": N_("{n} KB"),
    "size_mb": N_("{n} MB"),
    "size_gb": N_("{n} GB"),
    "not_found": N_("There is no such product, or you may not see it: try signing in."),
    "no_quicklook": N_("No quicklook for this product."),
    "no_footprint": N_("No footprint on a body for this product."),
    "none": N_("none"),
    "download": N_("Download"),
    "downloading": N_("Downloading…"),
    "selected": N_("selected"),
    "peer_reachable": N_("reachable"),
    "peer_unreachable": N_("unreachable"),
    "no_peers": N_("This node has no peers yet (lunadc peer add)."),
    "lag_seconds": N_("{n} s since the last successful pull"),
    "fixity_none": N_("No fixity audit has run on this node yet."),
    "map_label": N_("Map of {body}: footprints of the results"),
    "access_public": N_("public"),
    "access_partner": N_("partner"),
    "access_restricted": N_("restricted"),
    "lon_east": N_("{n}° E"),
    "lon_west": N_("{n}° W"),
    "lat_north": N_("{n}° N"),
    "lat_south": N_("{n}° S"),
    "lon": N_("lon"),
    "lat": N_("lat"),
}


def translated(translations: GNUTranslations) -> dict[str, str]:
    return {key: translations.gettext(text) for key, text in JS_MESSAGES.items()}
