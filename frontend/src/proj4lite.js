// proj4 with only the projections the body maps use (polar stereographic, equirectangular),
// assembled as proj4's own lib/index.js does, to keep the first page small.
import core from "proj4/lib/core";
import Proj from "proj4/lib/Proj";
import Point from "proj4/lib/Point";
import toPoint from "proj4/lib/common/toPoint";
import defs from "proj4/lib/defs";
import nadgrid from "proj4/lib/nadgrid";
import transform from "proj4/lib/transform";
import stere from "proj4/lib/projections/stere";
import eqc from "proj4/lib/projections/eqc";

const proj4 = Object.assign(core, {
  defaultDatum: "WGS84",
  Proj,
  WGS84: new Proj("WGS84"),
  Point,
  toPoint,
  defs,
  nadgrid,
  transform,
  version: "lite",
});
proj4.Proj.projections.add(stere);
proj4.Proj.projections.add(eqc);
// proj4 predefines UTM and other Earth systems; the body maps need none of them, and
// OpenLayers' register() would try to link every pair of definitions.
for (const code of Object.keys(defs)) {
  if (code !== "EPSG:4326" && code !== "WGS84") delete defs[code];
}

export default proj4;
