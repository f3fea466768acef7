// A polygon typed as text ("LON,LAT LON,LAT ..." or one pair per line): the keyboard's way to a
// region, checked here with the same limits as the API's polygon= (lunadc/search/spatial/parse.py),
// so a mistake is explained in the user's language instead of coming back as an API error.

const MIN_VERTICES = 3;
const MAX_VERTICES = 10000;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parse the text into [[lon, lat], ...].
 * Returns { coords } or { error: key, params } where key is a message of lunadc/web/jsmessages.py.
 */
export function parsePolygonText(text) {
  // Vertices are split by whitespace or ";"; a comma (with optional spaces) joins LON and LAT.
  const tokens = text.trim().replace(/\s*,\s*/g, ",").split(/[\s;]+/).filter(Boolean);
  const coords = [];
  for (const [i, token] of tokens.entries()) {
    const parts = token.split(",");
    if (parts.length !== 2 || !parts.every((p) => NUMBER.test(p))) {
      return { error: "polygon_bad_vertex", params: { i: i + 1, text: token } };
    }
    const [lon, lat] = parts.map(Number);
    if (!(lon >= -180 && lon <= 360)) return { error: "polygon_bad_lon", params: { i: i + 1, v: parts[0] } };
    if (!(lat >= -90 && lat <= 90)) return { error: "polygon_bad_lat", params: { i: i + 1, v: parts[1] } };
    coords.push([lon, lat]);
  }
  // A ring typed closed (last vertex = first) means the same polygon.
  const [first, last] = [coords[0], coords[coords.length - 1]];
  if (coords.length > MIN_VERTICES && first[0] === last[0] && first[1] === last[1]) coords.pop();
  if (coords.length < MIN_VERTICES) return { error: "polygon_too_few", params: { n: coords.length } };
  if (coords.length > MAX_VERTICES) return { error: "polygon_too_many", params: { n: MAX_VERTICES } };
  return { coords };
}

/** The polygon as text the parser reads back: one vertex per line. */
export function polygonText(coords) {
  return coords.map(([lon, lat]) => `${lon},${lat}`).join("\n");
}
