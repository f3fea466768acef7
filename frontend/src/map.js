// The body map: footprints, graticule, a plain body disc, drawing a region. OpenLayers with
// proj4 for the polar stereographic views; nothing is loaded from any other host.
import Map from "ol/Map.js";
import View from "ol/View.js";
import Feature from "ol/Feature.js";
import GeoJSON from "ol/format/GeoJSON.js";
import Polygon, { circular } from "ol/geom/Polygon.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import Draw from "ol/interaction/Draw.js";
import Fill from "ol/style/Fill.js";
import Stroke from "ol/style/Stroke.js";
import Style from "ol/style/Style.js";
import { defaults as defaultControls } from "ol/control/defaults.js";
import ScaleLine from "ol/control/ScaleLine.js";
import CircleStyle from "ol/style/Circle.js";
import { register } from "ol/proj/proj4.js";
import { get as getProjection, transform } from "ol/proj.js";
import proj4 from "./proj4lite.js";
import { formatNumber, t } from "./common.js";
import { createGraticule } from "./graticule.js";

const MOON_R = 1737400;
const MIN_CONTEXT_M = 80000;
const BODY_RADIUS_KM = { moon: 1737.4, mars: 3389.5, mercury: 2439.7, venus: 6051.8, phobos: 11.1, ceres: 469.7 };

proj4.defs("moon:eqc", `+proj=eqc +lat_ts=0 +lon_0=0 +R=${MOON_R} +units=m +no_defs`);
proj4.defs("moon:south", `+proj=stere +lat_0=-90 +lon_0=0 +k=1 +R=${MOON_R} +units=m +no_defs`);
proj4.defs("moon:north", `+proj=stere +lat_0=90 +lon_0=0 +k=1 +R=${MOON_R} +units=m +no_defs`);
register(proj4);

const HALF = Math.PI * MOON_R;
const POLAR = 2 * MOON_R; // the equator's distance from the pole in a polar stereographic map
const VIEWS = {
  eqc: { extent: [-HALF, -HALF / 2, HALF, HALF / 2], world: [-180, -90, 180, 90], fit: [-HALF, -HALF / 2, HALF, HALF / 2] },
  south: { extent: [-POLAR, -POLAR, POLAR, POLAR], world: [-180, -90, 180, 0], fit: zoomToLat(30) },
  north: { extent: [-POLAR, -POLAR, POLAR, POLAR], world: [-180, 0, 180, 90], fit: zoomToLat(30) },
};
for (const [name, v] of Object.entries(VIEWS)) {
  const p = getProjection(`moon:${name}`);
  p.setExtent(v.extent);
  p.setWorldExtent(v.world);
  if (name === "eqc") p.setGlobal(true);
}

function zoomToLat(degreesFromPole) {
  const rho = 2 * MOON_R * Math.tan((degreesFromPole * Math.PI) / 360);
  return [-rho, -rho, rho, rho];
}

const degrees = (n) => formatNumber(n, Number.isInteger(n) ? 0 : 2).replace(/([.,]\d*?)0+$/, "$1").replace(/[.,]$/, "");
const DEGREE_LABELS = {
  lon: (n, side) => (n === 0 || n === 180 ? `${degrees(n)}°` : t(side === "E" ? "lon_east" : "lon_west", { n: degrees(n) })),
  lat: (n, side) => (n === 0 ? "0°" : t(side === "N" ? "lat_north" : "lat_south", { n: degrees(n) })),
};

export function bodyRadiusKm(target) {
  return BODY_RADIUS_KM[String(target || "moon").toLowerCase()] ?? BODY_RADIUS_KM.moon;
}

/** Great-circle distance in km between two lon/lat points on a sphere of radius rKm. */
export function distanceKm([lon1, lat1], [lon2, lat2], rKm) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * rKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Points along each edge so that parallels and meridians bend as they should when projected. */
function densify(ring, step = 1) {
  const out = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[i + 1];
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1)) / step));
    for (let k = 0; k < n; k++) out.push([x1 + ((x2 - x1) * k) / n, y1 + ((y2 - y1) * k) / n]);
  }
  out.push(ring[ring.length - 1]);
  return out;
}

/**
 * A closed lon/lat ring with its edges as great-circle arcs (about one point a degree): how the
 * API reads polygon= edges, so the shape drawn is the filter applied, also for a ring around a pole
 * or across 180° (a linear lon/lat interpolation would go the long way round from 270° to 0°).
 */
function greatCircleRing(ring, stepDeg = 1) {
  const rad = Math.PI / 180;
  const vec = ([lon, lat]) => [Math.cos(lat * rad) * Math.cos(lon * rad), Math.cos(lat * rad) * Math.sin(lon * rad), Math.sin(lat * rad)];
  const out = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const [a, b] = [vec(ring[i]), vec(ring[i + 1])];
    const omega = Math.acos(Math.min(1, Math.max(-1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2])));
    const n = Math.max(1, Math.ceil(omega / rad / stepDeg));
    out.push(ring[i]);
    if (Math.sin(omega) < 1e-9) continue; // same or antipodal points: no unique arc to draw
    for (let k = 1; k < n; k++) {
      const f = k / n;
      const [wa, wb] = [Math.sin((1 - f) * omega) / Math.sin(omega), Math.sin(f * omega) / Math.sin(omega)];
      const [x, y, z] = [0, 1, 2].map((j) => wa * a[j] + wb * b[j]);
      out.push([Math.atan2(y, x) / rad, Math.atan2(z, Math.hypot(x, y)) / rad]);
    }
  }
  out.push(ring[ring.length - 1]);
  return out;
}

function densifyGeometry(geometry) {
  if (!geometry) return geometry;
  if (geometry.type === "Polygon") return { ...geometry, coordinates: geometry.coordinates.map((r) => densify(r)) };
  if (geometry.type === "MultiPolygon") return { ...geometry, coordinates: geometry.coordinates.map((p) => p.map((r) => densify(r))) };
  if (geometry.type === "LineString") return { ...geometry, coordinates: densify(geometry.coordinates) };
  return geometry;
}

const styles = {
  body: new Style({ fill: new Fill({ color: "#3a3f47" }), stroke: new Stroke({ color: "#7b8494", width: 1 }) }),
  footprint: new Style({
    fill: new Fill({ color: "rgba(255, 196, 0, 0.18)" }),
    stroke: new Stroke({ color: "#ffc400", width: 1.5 }),
    image: new CircleStyle({ radius: 5, fill: new Fill({ color: "#ffc400" }), stroke: new Stroke({ color: "#1b1e23", width: 1 }) }),
  }),
  selected: new Style({
    fill: new Fill({ color: "rgba(0, 220, 255, 0.35)" }),
    stroke: new Stroke({ color: "#00e0ff", width: 3 }),
    image: new CircleStyle({ radius: 8, fill: new Fill({ color: "#00e0ff" }), stroke: new Stroke({ color: "#fff", width: 2 }) }),
    zIndex: 10,
  }),
  region: new Style({ fill: new Fill({ color: "rgba(255, 80, 80, 0.12)" }), stroke: new Stroke({ color: "#ff5050", width: 2, lineDash: [6, 4] }) }),
  covered: new Style({ fill: new Fill({ color: "rgba(60, 220, 120, 0.45)" }), stroke: new Stroke({ color: "#3cdc78", width: 1 }) }),
  uncovered: new Style({ fill: new Fill({ color: "rgba(255, 60, 60, 0.35)" }), stroke: new Stroke({ color: "#ff3c3c", width: 1 }) }),
};

export function createMap(target, { projection = "south", onSelect = () => {}, onRegion = () => {}, small = false, label = "" } = {}) {
  const format = new GeoJSON();
  const bodySource = new VectorSource();
  const footprintSource = new VectorSource();
  const regionSource = new VectorSource();
  const coverageSource = new VectorSource();
  let selectedId = null;
  let current = projection;
  let draw = null;

  const footprintLayer = new VectorLayer({
    source: footprintSource,
    style: (f) => (f.get("lidvid") === selectedId ? styles.selected : styles.footprint),
  });
  const map = new Map({
    target,
    layers: [
      new VectorLayer({ source: bodySource, style: styles.body }),
      new VectorLayer({ source: coverageSource, style: (f) => (f.get("covered") ? styles.covered : styles.uncovered) }),
      footprintLayer,
      new VectorLayer({ source: regionSource, style: styles.region }),
    ],
    controls: small ? defaultControls({ attribution: false, rotate: false }) : defaultControls({ attribution: false, rotate: false }).extend([new ScaleLine()]),
  });
  if (label) target.setAttribute("aria-label", label);
  const graticule = createGraticule(map, { maxLines: small ? 5 : 9, labels: DEGREE_LABELS });
  map.getLayers().insertAt(3, graticule.layer);

  let lastFootprints = null;

  function drawBody() {
    bodySource.clear();
    const proj = `moon:${current}`;
    let ring;
    if (current === "eqc") {
      ring = densify([[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]], 5);
    } else {
      ring = [];
      for (let lon = -180; lon <= 180; lon += 2) ring.push([lon, 0]); // the equator: the disc's rim
    }
    const coords = ring.map((p) => transform(p, "EPSG:4326", proj));
    bodySource.addFeature(new Feature(new Polygon([coords])));
  }

  function readFeatures(geojson) {
    const copy = { ...geojson, features: (geojson.features || []).map((f) => ({ ...f, geometry: densifyGeometry(f.geometry) })) };
    return format.readFeatures(copy, { dataProjection: "EPSG:4326", featureProjection: `moon:${current}` }).map((f) => {
      if (!f.get("lidvid")) f.set("lidvid", f.getId() ?? f.get("id"));
      return f;
    });
  }

  function setProjection(name) {
    current = name;
    const v = VIEWS[name];
    const view = new View({ projection: `moon:${name}`, extent: v.extent, constrainOnlyCenter: true, showFullExtent: true });
    map.setView(view);
    view.fit(v.fit, { padding: [8, 8, 8, 8] });
    drawBody();
    if (lastFootprints) setFootprints(lastFootprints);
    if (region) showRegion(region);
    if (lastCoverage) showCoverage(lastCoverage);
    if (draw) startDraw(draw.get("kind"));
  }

  function setFootprints(geojson) {
    lastFootprints = geojson;
    footprintSource.clear();
    footprintSource.addFeatures(readFeatures(geojson));
  }

  function highlight(id, { zoom = false } = {}) {
    selectedId = id;
    footprintLayer.changed();
    if (zoom) {
      const feats = footprintSource.getFeatures().filter((f) => f.get("lidvid") === id);
      if (feats.length) {
        const extent = feats[0].getGeometry().getExtent().slice();
        for (const f of feats.slice(1)) {
          const e = f.getGeometry().getExtent();
          extent[0] = Math.min(extent[0], e[0]); extent[1] = Math.min(extent[1], e[1]);
          extent[2] = Math.max(extent[2], e[2]); extent[3] = Math.max(extent[3], e[3]);
        }
        map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom: map.getView().getZoom() + 3, duration: 250 });
      }
    }
  }

  function fitFootprints() {
    const feats = footprintSource.getFeatures();
    if (!feats.length) return;
    const extent = footprintSource.getExtent().slice();
    if (!extent.every(Number.isFinite)) return;
    // Show at least MIN_CONTEXT_M around a small footprint, so one sees where it lies.
    for (const [lo, hi] of [[0, 2], [1, 3]]) {
      const grow = Math.max(0, MIN_CONTEXT_M - (extent[hi] - extent[lo])) / 2;
      extent[lo] -= grow;
      extent[hi] += grow;
    }
    map.getView().fit(extent, { padding: [30, 30, 30, 30] });
  }

  let region = null;
  let lastCoverage = null;

  function circleRing({ lon, lat, r }, rKm) {
    // A geodesic circle of radius r km on a sphere of the body's radius.
    const poly = circular([lon, lat], r * 1000, 96, rKm * 1000);
    return poly.getCoordinates()[0];
  }

  let bodyRadius = BODY_RADIUS_KM.moon;

  function showRegion(reg) {
    region = reg;
    regionSource.clear();
    if (!reg) return;
    const ring = reg.type === "circle" ? circleRing(reg, bodyRadius) : greatCircleRing([...reg.coords, reg.coords[0]]);
    const coords = ring.map((p) => transform(p, "EPSG:4326", `moon:${current}`));
    regionSource.addFeature(new Feature(new Polygon([coords])));
  }

  function showCoverage(geojson) {
    lastCoverage = geojson;
    coverageSource.clear();
    if (!geojson) return;
    for (const [key, covered] of [["covered", true], ["uncovered", false]]) {
      const part = geojson[key];
      if (!part) continue;
      const fc = part.type === "FeatureCollection" ? part : { type: "FeatureCollection", features: [part.type === "Feature" ? part : { type: "Feature", geometry: part, properties: {} }] };
      for (const f of readFeatures(fc)) {
        f.set("covered", covered);
        coverageSource.addFeature(f);
      }
    }
  }

  function stopDraw() {
    if (draw) map.removeInteraction(draw);
    draw = null;
  }

  function startDraw(kind) {
    stopDraw();
    draw = new Draw({ source: new VectorSource(), type: kind === "circle" ? "Circle" : "Polygon", style: styles.region });
    draw.set("kind", kind);
    draw.on("drawend", (event) => {
      const geom = event.feature.getGeometry();
      const proj = `moon:${current}`;
      let reg;
      if (kind === "circle") {
        const c = geom.getCenter();
        const center = transform(c, proj, "EPSG:4326");
        const edge = transform([c[0] + geom.getRadius(), c[1]], proj, "EPSG:4326");
        reg = { type: "circle", lon: center[0], lat: center[1], r: distanceKm(center, edge, bodyRadius) };
      } else {
        const ring = geom.getCoordinates()[0].slice(0, -1);
        reg = { type: "polygon", coords: ring.map((p) => transform(p, proj, "EPSG:4326")) };
      }
      stopDraw();
      showRegion(reg);
      onRegion(reg);
    });
    map.addInteraction(draw);
  }

  map.on("singleclick", (event) => {
    if (draw) return;
    const hit = map.forEachFeatureAtPixel(event.pixel, (f) => (f.get("lidvid") ? f : undefined), { layerFilter: (l) => l === footprintLayer });
    if (hit) onSelect(hit.get("lidvid"));
  });
  map.on("pointermove", (event) => {
    const hit = map.hasFeatureAtPixel(event.pixel, { layerFilter: (l) => l === footprintLayer });
    map.getTargetElement().style.cursor = hit && !draw ? "pointer" : "";
  });

  setProjection(current);
  return {
    map,
    setProjection,
    setFootprints,
    fitFootprints,
    highlight,
    startDraw,
    stopDraw,
    showRegion,
    showCoverage,
    setBodyRadius(km) { bodyRadius = km; if (region) showRegion(region); },
    get projection() { return current; },
    featureCount: () => footprintSource.getFeatures().length,
    /** The screen pixel of a point inside a result's footprint (keyboard-free tests, tours). */
    pixelOf(id) {
      const f = footprintSource.getFeatures().find((x) => x.get("lidvid") === id);
      if (!f) return null;
      const g = f.getGeometry();
      const type = g.getType();
      const c = type === "Polygon" ? g.getInteriorPoint().getCoordinates()
        : type === "MultiPolygon" ? g.getInteriorPoints().getFirstCoordinate()
        : type === "Point" ? g.getCoordinates() : g.getFirstCoordinate();
      return map.getPixelFromCoordinate(c.slice(0, 2));
    },
    idsAtPixel: (pixel) => map.getFeaturesAtPixel(pixel, { layerFilter: (l) => l === footprintLayer }).map((f) => f.get("lidvid")),
    get selected() { return selectedId; },
  };
}
