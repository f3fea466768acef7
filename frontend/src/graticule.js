// A lon/lat graticule with labels as an OpenLayers vector layer, redrawn for each view.
// OpenLayers' own Graticule layer assumes the view's corners bound the longitudes, which
// fails in polar stereographic views (a pole inside or near the view shows half the
// meridians), so the lines here are computed from lon/lat directly and projected.
import Feature from "ol/Feature.js";
import LineString from "ol/geom/LineString.js";
import Point from "ol/geom/Point.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import Fill from "ol/style/Fill.js";
import Stroke from "ol/style/Stroke.js";
import Style from "ol/style/Style.js";
import Text from "ol/style/Text.js";
import { containsCoordinate } from "ol/extent.js";
import { transform } from "ol/proj.js";

const STEPS = [90, 60, 45, 30, 15, 10, 5, 2, 1, 0.5, 0.25, 0.1];
const line = new Style({ stroke: new Stroke({ color: "rgba(220, 226, 235, 0.45)", width: 1, lineDash: [2, 4] }) });
const labelText = (text) =>
  new Style({
    text: new Text({
      text,
      font: "11px system-ui, sans-serif",
      fill: new Fill({ color: "#e8edf4" }),
      stroke: new Stroke({ color: "#1b1e23", width: 3 }),
      overflow: true,
    }),
  });

function lonParts(lon) {
  const v = ((((lon + 180) % 360) + 360) % 360) - 180;
  return [Math.round(Math.abs(v) * 100) / 100, v < 0 ? "W" : "E"];
}

// Plain labels; the map passes translated ones (°E/°W are written differently per language).
const PLAIN = {
  lon: (n, side) => (n === 0 || n === 180 ? `${n}°` : `${n}° ${side}`),
  lat: (n, side) => (n === 0 ? "0°" : `${n}° ${side}`),
};

/** The first step giving at most `lines` lines over `span` degrees. */
function stepFor(span, lines) {
  return [...STEPS].reverse().find((s) => span / s <= lines) ?? STEPS[0];
}

export function createGraticule(map, { maxLines = 8, labels = PLAIN } = {}) {
  const fmtLon = (lon) => labels.lon(...lonParts(lon));
  const fmtLat = (lat) => labels.lat(Math.round(Math.abs(lat) * 100) / 100, lat < 0 ? "S" : "N");
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style: (f) => f.get("style"), updateWhileInteracting: false });

  function redraw() {
    source.clear();
    const view = map.getView();
    const size = map.getSize();
    if (!size || !view.getCenter()) return;
    const proj = view.getProjection();
    const code = proj.getCode();
    const extent = view.calculateExtent(size);
    const margin = 22 * view.getResolution();
    const inner = [extent[0] + margin, extent[1] + margin, extent[2] - margin, extent[3] - margin];
    const toMap = (lon, lat) => transform([lon, lat], "EPSG:4326", code);
    const world = proj.getWorldExtent(); // the hemisphere (polar) or the globe (eqc)
    // Sample the view to learn which latitudes and longitudes it shows.
    let latMin = 90, latMax = -90, lonMin = 180, lonMax = -180;
    for (let i = 0; i <= 8; i++) {
      for (let j = 0; j <= 8; j++) {
        const x = extent[0] + ((extent[2] - extent[0]) * i) / 8;
        const y = extent[1] + ((extent[3] - extent[1]) * j) / 8;
        const [lon, lat] = transform([x, y], code, "EPSG:4326");
        if (!Number.isFinite(lat)) continue;
        latMin = Math.min(latMin, lat); latMax = Math.max(latMax, lat);
        lonMin = Math.min(lonMin, lon); lonMax = Math.max(lonMax, lon);
      }
    }
    latMin = Math.max(latMin, world[1]);
    latMax = Math.min(latMax, world[3]);
    for (const pole of [-90, 90]) {
      // A pole in view: every longitude is in view, and the pole's latitude too.
      if (pole >= world[1] && pole <= world[3] && containsCoordinate(extent, toMap(0, pole))) {
        lonMin = -180; lonMax = 180;
        latMin = Math.min(latMin, pole); latMax = Math.max(latMax, pole);
      }
    }
    if (lonMax - lonMin > 300) { lonMin = -180; lonMax = 180; }
    // Room for the labels: a longitude label is wider than a latitude one is tall.
    const latStep = stepFor(latMax - latMin, Math.min(maxLines, Math.floor(size[1] / 45)));
    const lonStep = stepFor(lonMax - lonMin, Math.min(maxLines, Math.floor(size[0] / 90)));
    const lat0 = Math.ceil(latMin / latStep) * latStep;
    const lon0 = Math.ceil(lonMin / lonStep) * lonStep;
    const centre = transform(view.getCenter(), code, "EPSG:4326");
    const n = (a, b, d) => Math.max(2, Math.ceil(Math.abs(b - a) / d));
    // Meridians, each labelled where it meets the view's lowest latitude line.
    for (let lon = lon0; lon <= lonMax + 1e-9 && lon < 180 + 1e-9; lon += lonStep) {
      if (lon === 180 && lonMin === -180) continue; // the same line as -180
      const k = n(latMin, latMax, 0.25);
      const pts = Array.from({ length: k + 1 }, (_v, i) => toMap(lon, latMin + ((latMax - latMin) * i) / k));
      source.addFeature(new Feature({ geometry: new LineString(pts), style: line }));
      // The label goes where the meridian leaves the view (away from a pole in view).
      const fromPole = Math.abs(latMin) > Math.abs(latMax) ? pts : [...pts].reverse();
      const at = fromPole.filter((p) => containsCoordinate(inner, p)).at(-1);
      if (at) source.addFeature(new Feature({ geometry: new Point(at), style: labelText(fmtLon(lon)) }));
    }
    // Parallels, labelled on the meridian through the view's centre.
    for (let lat = lat0; lat <= latMax + 1e-9; lat += latStep) {
      if (Math.abs(lat) === 90) continue;
      const k = n(lonMin, lonMax, 1);
      const pts = Array.from({ length: k + 1 }, (_v, i) => toMap(lonMin + ((lonMax - lonMin) * i) / k, lat));
      source.addFeature(new Feature({ geometry: new LineString(pts), style: line }));
      const at = toMap(Number.isFinite(centre[0]) ? centre[0] : 0, lat);
      if (containsCoordinate(extent, at)) source.addFeature(new Feature({ geometry: new Point(at), style: labelText(fmtLat(lat)) }));
    }
  }

  map.on("moveend", redraw);
  map.on("change:size", redraw);
  map.on("change:view", () => map.once("rendercomplete", redraw));
  map.once("rendercomplete", redraw);
  return { layer, redraw };
}
