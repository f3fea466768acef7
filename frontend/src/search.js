// The search page: filters and facets, results paged with search-after, footprints on the map,
// a drawn region as the spatial filter, coverage of a landing circle, all kept in the URL.
import { api, config, el, formatNumber, formatPercent, formatTime, productHref, prop, t } from "./common.js";
import { bodyRadiusKm, createMap } from "./map.js";
import { parsePolygonText, polygonText } from "./polygontext.js";

const PAGE = 50;
const FACETS = [
  { key: "mission", field: "mission", label: "facet_mission" },
  { key: "instrument", field: "instrument", label: "facet_instrument" },
  { key: "target", field: "target", label: "facet_target" },
  { key: "level", field: "processing_level", label: "facet_processing_level" },
  { key: "class", field: "product_class", label: "facet_product_class" },
  { key: "node", field: "node_name", label: "facet_node" },
  { key: "access", field: "access", label: "facet_access" },
];
const $ = (id) => document.getElementById(id);

// ---- state <-> URL ----
function readState() {
  const p = new URLSearchParams(window.location.search);
  const state = {
    text: p.get("text") || "",
    start: p.get("start") || "",
    stop: p.get("stop") || "",
    federated: p.get("federated") === "1",
    proj: ["south", "north", "eqc"].includes(p.get("proj")) ? p.get("proj") : "south",
    facets: {},
    region: null,
  };
  for (const f of FACETS) state.facets[f.key] = p.getAll(f.key);
  const circle = (p.get("circle") || "").split(",").map(Number);
  if (circle.length === 3 && circle.every(Number.isFinite)) state.region = { type: "circle", lon: circle[0], lat: circle[1], r: circle[2] };
  const poly = (p.get("polygon") || "").split(",").map(Number);
  if (poly.length >= 6 && poly.length % 2 === 0 && poly.every(Number.isFinite)) {
    const coords = [];
    for (let i = 0; i < poly.length; i += 2) coords.push([poly[i], poly[i + 1]]);
    state.region = { type: "polygon", coords };
  }
  return state;
}

const round = (x, d = 4) => Number(x.toFixed(d));

function regionParams(region) {
  if (!region) return [];
  if (region.type === "circle") return [["circle", `${round(region.lon)},${round(region.lat)},${round(region.r, 3)}`]];
  return [["polygon", region.coords.flatMap(([lon, lat]) => [round(lon), round(lat)]).join(",")]];
}

function writeState() {
  const p = new URLSearchParams();
  if (state.text) p.set("text", state.text);
  if (state.start) p.set("start", state.start);
  if (state.stop) p.set("stop", state.stop);
  if (state.federated) p.set("federated", "1");
  if (state.proj !== "south") p.set("proj", state.proj);
  for (const f of FACETS) for (const v of state.facets[f.key]) p.append(f.key, v);
  for (const [k, v] of regionParams(state.region)) p.set(k, v);
  const lang = new URLSearchParams(window.location.search).get("lang");
  if (lang) p.set("lang", lang);
  const query = p.toString();
  history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  // Keep the language switch on the same search.
  for (const a of document.querySelectorAll(".langs a")) {
    const q = new URLSearchParams(p);
    q.set("lang", a.getAttribute("hreflang"));
    a.href = `?${q}`;
  }
}

// ---- the API query ----
const quote = (v) => `"${String(v).replace(/"/g, "")}"`;

function buildQ() {
  const groups = [];
  for (const f of FACETS) {
    const values = state.facets[f.key];
    if (values.length) groups.push(`(${values.map((v) => `${f.field} eq ${quote(v)}`).join(" or ")})`);
  }
  return groups.join(" and ");
}

function bodyName() {
  return state.facets.target[0] || "Moon";
}

function searchParams({ after = [], facets = true } = {}) {
  const p = new URLSearchParams();
  const q = buildQ();
  if (q) p.set("q", q);
  if (state.text.trim()) p.set("keywords", state.text.trim());
  if (state.start) p.set("start", `${state.start}T00:00:00Z`);
  if (state.stop) p.set("stop", `${state.stop}T23:59:59.999Z`);
  if (state.region) {
    if (!state.facets.target.length) p.set("target", bodyName());
    for (const [k, v] of regionParams(state.region)) p.set(k, v);
  }
  if (state.federated) p.set("federated", "true");
  p.set("limit", String(PAGE));
  if (facets) {
    for (const f of FACETS) p.append("facet-fields", f.field);
    p.set("facet-limit", "12");
  }
  for (const a of after) p.append("search-after", a);
  return p;
}

// ---- rendering ----
let state = readState();
let generation = 0;
let after = null;
let loading = false;
let shown = 0;
let hits = 0;
const allFeatures = [];
const list = $("result-list");

const mapView = createMap($("map"), {
  projection: state.proj,
  label: t("map_label", { body: bodyName() }),
  onSelect: (id) => selectResult(id, { fromMap: true }),
  onRegion: (region) => {
    state.region = region;
    setDrawButtons(null);
    changed();
  },
});

function selectResult(id, { fromMap = false } = {}) {
  for (const item of list.querySelectorAll("li.selected")) item.classList.remove("selected");
  const item = [...list.children].find((li) => li.dataset.id === id);
  mapView.highlight(id, { zoom: !fromMap });
  if (item) {
    item.classList.add("selected");
    if (fromMap) {
      item.scrollIntoView({ block: "nearest", behavior: "smooth" });
      item.querySelector("a")?.focus({ preventScroll: true });
    }
  }
}

function resultItem(product) {
  // A PDS API product, or a federated row (lunadc.federation.search.summary) from any node.
  const id = product.id ?? product.lidvid;
  const mission = prop(product, "pds:Investigation_Area.pds:name") || product.investigations?.[0]?.id || product.investigation;
  const instrument = prop(product, "pds:Observing_System_Component.pds:name", "instrument") || product.observing_system_components?.at(-1)?.id || product.instrument;
  const target = prop(product, "pds:Target_Identification.pds:name") || product.targets?.[0]?.id || product.target;
  const node = product.node ?? prop(product, "ops:Harvest_Info.ops:node_name");
  const item = el(
    "li",
    { "data-id": id, class: "result" },
    el("a", { href: productHref(id), class: "title", text: product.title || id }),
    el("div", { class: "lidvid", text: id }),
    el(
      "div",
      { class: "chips" },
      mission && el("span", { class: "chip", title: t("facet_mission"), text: mission }),
      instrument && el("span", { class: "chip", title: t("facet_instrument"), text: instrument }),
      target && el("span", { class: "chip", title: t("facet_target"), text: target }),
      node && el("span", { class: "chip node", title: t("facet_node"), text: node }),
    ),
    el("div", { class: "time", text: `${formatTime(product.start_date_time)} – ${formatTime(product.stop_date_time)}` }),
  );
  item.addEventListener("mouseenter", () => mapView.highlight(id));
  item.addEventListener("focusin", () => mapView.highlight(id));
  item.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    selectResult(id);
  });
  return item;
}

function renderSummary() {
  const total = hits >= 0 ? t("hits", { n: formatNumber(hits) }) : t("hits_unknown");
  const end = shown && !after ? ` · ${t("all_loaded")}` : "";
  $("summary").textContent = shown || hits ? `${total} · ${t("shown", { n: formatNumber(shown) })}${end}` : t("no_results");
}

function renderFacets(facets) {
  const box = $("facets");
  box.replaceChildren();
  const byName = Object.fromEntries((facets || []).map((f) => [f.property, f.counts || {}]));
  for (const f of FACETS) {
    const counts = { ...(byName[f.field] || {}) };
    for (const v of state.facets[f.key]) if (!(v in counts)) counts[v] = null;
    const entries = Object.entries(counts);
    if (!entries.length) continue;
    const set = el("fieldset", { class: "facet" }, el("legend", { text: t(f.label) }));
    for (const [value, count] of entries) {
      const inputId = `facet-${f.key}-${value}`.replace(/[^\w-]/g, "_");
      const checked = state.facets[f.key].includes(value);
      const input = el("input", { type: "checkbox", id: inputId, checked, "data-facet": f.key, value });
      input.addEventListener("change", () => {
        const values = state.facets[f.key];
        state.facets[f.key] = input.checked ? [...values, value] : values.filter((v) => v !== value);
        changed();
      });
      const shownValue = f.key === "access" ? t(`access_${value}`) : value;
      set.append(el("div", { class: "facet-value" }, input, el("label", { for: inputId }, el("span", { text: shownValue }), el("span", { class: "count", text: count === null ? "" : formatNumber(count) }))));
    }
    box.append(set);
  }
}

function nodeStatuses(summary) {
  const raw = summary.nodes ?? summary.federation?.nodes ?? summary.federation ?? null;
  if (!raw) return [];
  const rows = Array.isArray(raw) ? raw : Object.entries(raw).map(([node, v]) => ({ node, ...(typeof v === "object" ? v : { status: v }) }));
  return rows.map((r) => ({ node: r.node ?? r.node_id ?? r.name, status: String(r.status ?? (r.ok ? "ok" : "error")), hits: r.hits, error: r.error ?? r.reason }));
}

function renderNodes(summary) {
  const box = $("nodes");
  box.replaceChildren();
  if (!state.federated) return;
  const rows = nodeStatuses(summary);
  if (!rows.length) return;
  const ul = el("ul", { class: "node-list" });
  for (const r of rows) {
    const ok = /^(ok|answered|complete|success)$/i.test(r.status);
    const partial = /partial|timeout|slow/i.test(r.status);
    const label = ok ? t("node_ok") : partial ? t("node_partial") : t("node_down");
    ul.append(el("li", { class: ok ? "ok" : partial ? "partial" : "down", "data-node": r.node, title: r.error || "" }, el("strong", { text: r.node }), ` ${label}`, r.hits !== undefined ? ` (${formatNumber(r.hits)})` : ""));
  }
  box.append(el("h3", { text: t("nodes_answered") }), ul);
}

async function loadPage(reset) {
  if (loading && !reset) return;
  const mine = reset ? ++generation : generation;
  loading = true;
  $("load-more").hidden = true;
  if (reset) {
    after = [];
    shown = 0;
    allFeatures.length = 0;
    list.replaceChildren();
    $("summary").textContent = t("loading");
  }
  const params = searchParams({ after: after || [], facets: reset });
  try {
    const geoParams = new URLSearchParams(params);
    geoParams.delete("facet-fields");
    geoParams.delete("facet-limit");
    // Footprints and facet counts come from this node; with "search all nodes" the list
    // comes from every node (the federated answer has neither facets nor paging).
    geoParams.delete("federated");
    const localParams = new URLSearchParams(params);
    localParams.delete("federated");
    localParams.set("limit", "0");
    const [page, geo, local] = await Promise.all([
      api(`/products?${params}`),
      api(`/products?${geoParams}`, { accept: "application/geo+json" }).catch(() => null),
      state.federated && reset ? api(`/products?${localParams}`).catch(() => null) : null,
    ]);
    if (mine !== generation) return;
    if (local) page.summary = { ...page.summary, facets: local.summary?.facets };
    const data = page.data || [];
    for (const product of data) list.append(resultItem(product));
    shown += data.length;
    hits = page.summary?.hits ?? shown;
    after = data.length === PAGE ? page.summary?.search_after || null : null;
    if (reset) {
      renderFacets(page.summary?.facets);
      renderNodes(page.summary || {});
    }
    if (geo?.features) {
      // Only footprints on the body the map shows (a Mars footprint has no place on the Moon).
      const body = bodyName().toLowerCase();
      allFeatures.push(...geo.features.filter((f) => f.geometry && String(f.properties?.body ?? f.properties?.target ?? "").toLowerCase() === body));
      mapView.setFootprints({ type: "FeatureCollection", features: allFeatures });
    }
    renderSummary();
    $("load-more").hidden = !after;
    document.body.dataset.ready = "1";
  } catch (error) {
    if (mine === generation) $("summary").textContent = t("error", { reason: error.message });
  } finally {
    if (mine === generation) loading = false;
  }
}

let timer = null;
function changed({ delay = 0 } = {}) {
  writeState();
  renderRegion();
  clearTimeout(timer);
  timer = setTimeout(() => loadPage(true), delay);
}

function renderRegion() {
  const r = state.region;
  mapView.showRegion(r);
  $("region-text").textContent = !r
    ? t("region_none")
    : r.type === "circle"
      ? t("region_circle", { lon: formatNumber(r.lon, 3), lat: formatNumber(r.lat, 3), r: formatNumber(r.r, 2) })
      : t("region_polygon", { n: r.coords.length });
  $("coverage-btn").disabled = !(r && r.type === "circle");
}

function setDrawButtons(kind) {
  $("draw-circle").setAttribute("aria-pressed", String(kind === "circle"));
  $("draw-polygon").setAttribute("aria-pressed", String(kind === "polygon"));
}

async function showCoverage() {
  const box = $("coverage");
  if (!state.region || state.region.type !== "circle") {
    box.textContent = t("coverage_none");
    return;
  }
  box.textContent = t("loading");
  const p = searchParams();
  for (const k of ["limit", "facet-fields", "facet-limit", "federated"]) p.delete(k);
  try {
    // The answer's shape is lunadc.api.coverage.CoverageOut.
    const c = await api(`/coverage?${p}`);
    const percent = (f) => (f > 0 && f < 0.001 ? `< ${formatPercent(0.001)}` : formatPercent(f));
    const best = (v) => (v === null || v === undefined ? "–" : formatNumber(v, 2));
    const th = (key) => el("th", { scope: "col", text: t(key) });
    box.replaceChildren(
      el("h3", { text: t("coverage_title") }),
      el("p", { class: "coverage-total", text: t("coverage_total", { p: percent(c.fraction) }) }),
      el("p", { text: t("coverage_area", { covered: formatNumber(c.covered_area_km2, 1), total: formatNumber(c.region_area_km2, 1) }) }),
      c.best_resolution_m !== null ? el("p", { text: t("coverage_best", { v: best(c.best_resolution_m) }) }) : null,
      el("p", { text: t("coverage_products", { n: formatNumber(c.products) }) }),
      c.instruments?.length
        ? el("table", { class: "coverage-table" },
            el("thead", {}, el("tr", {}, th("coverage_instrument"), th("coverage_col_products"), th("coverage_fraction"), th("coverage_col_best"))),
            el("tbody", {}, c.instruments.map((r) => el("tr", {},
              el("td", { text: r.instrument ?? t("none") }),
              el("td", { class: "num", text: formatNumber(r.products) }),
              el("td", { class: "num", text: percent(r.fraction) }),
              el("td", { class: "num", text: best(r.best_resolution_m) })))))
        : null,
    );
    mapView.showCoverage({ covered: c.covered, uncovered: c.uncovered });
  } catch (error) {
    box.textContent = t("error", { reason: error.message });
  }
}

// ---- wiring ----
function init() {
  $("f-text").value = state.text;
  $("f-start").value = state.start;
  $("f-stop").value = state.stop;
  $("f-federated").checked = state.federated;
  for (const radio of document.querySelectorAll("input[name=proj]")) {
    radio.checked = radio.value === state.proj;
    radio.addEventListener("change", () => {
      state.proj = radio.value;
      mapView.setProjection(state.proj);
      writeState();
    });
  }
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("f-text").addEventListener("input", () => { state.text = $("f-text").value; changed({ delay: 300 }); });
  $("f-start").addEventListener("change", () => { state.start = $("f-start").value; changed(); });
  $("f-stop").addEventListener("change", () => { state.stop = $("f-stop").value; changed(); });
  $("f-federated").addEventListener("change", () => { state.federated = $("f-federated").checked; changed(); });
  $("clear-filters").addEventListener("click", () => {
    state = { ...readState(), text: "", start: "", stop: "", federated: false, region: null, facets: Object.fromEntries(FACETS.map((f) => [f.key, []])) , proj: state.proj };
    $("f-text").value = $("f-start").value = $("f-stop").value = "";
    $("f-federated").checked = false;
    mapView.showCoverage(null);
    changed();
  });
  $("draw-circle").addEventListener("click", () => { setDrawButtons("circle"); mapView.startDraw("circle"); });
  $("draw-polygon").addEventListener("click", () => { setDrawButtons("polygon"); mapView.startDraw("polygon"); });
  $("clear-region").addEventListener("click", () => {
    setDrawButtons(null);
    mapView.stopDraw();
    mapView.showCoverage(null);
    $("coverage").replaceChildren();
    state.region = null;
    changed();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { setDrawButtons(null); mapView.stopDraw(); }
  });
  $("circle-form").addEventListener("submit", (e) => {
    e.preventDefault();
    state.region = { type: "circle", lon: Number($("c-lon").value), lat: Number($("c-lat").value), r: Number($("c-r").value) };
    changed();
  });
  if (state.region?.type === "polygon") $("p-coords").value = polygonText(state.region.coords);
  $("polygon-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const parsed = parsePolygonText($("p-coords").value);
    $("p-coords").setAttribute("aria-invalid", String(Boolean(parsed.error)));
    $("p-error").textContent = parsed.error ? t(parsed.error, parsed.params) : "";
    if (parsed.error) return;
    // The same region a polygon drawn on the map gives: same URL state, same API polygon=.
    setDrawButtons(null);
    mapView.stopDraw();
    state.region = { type: "polygon", coords: parsed.coords };
    changed();
  });
  // Enter applies (as in the circle's fields); Shift+Enter keeps the textarea's new line.
  $("p-coords").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("polygon-form").requestSubmit();
    }
  });
  $("coverage-btn").addEventListener("click", showCoverage);
  $("load-more").addEventListener("click", () => loadPage(false));
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && after && !loading) loadPage(false);
  }, { rootMargin: "400px" }).observe($("sentinel"));
  mapView.setBodyRadius(bodyRadiusKm(bodyName()));
  changed();
}

init();
window.lunadcSearch = { mapView, state: () => state, config };
