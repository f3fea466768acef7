// The product page: facts, quicklook, footprint on a small map, files with download, members,
// parents and the pretty-printed label. Everything is fetched with the user's token.
import { api, config, downloadWithToken, el, formatBytes, formatTime, productHref, prop, props, t } from "./common.js";
import { createMap } from "./map.js";

const $ = (id) => document.getElementById(id);
const id = config.identifier;
const enc = encodeURIComponent(id);

function fill(key, value) {
  const dd = document.querySelector(`#facts [data-k="${key}"]`);
  if (!dd) return;
  if (value instanceof Node) dd.replaceChildren(value);
  else dd.textContent = value === undefined || value === null || value === "" ? t("none") : String(value);
}

/** Indent XML for reading; text content is kept as the label has it. */
export function prettyXml(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.querySelector("parsererror")) return text;
  const lines = [];
  const walk = (node, depth) => {
    const pad = "  ".repeat(depth);
    if (node.nodeType === 3) {
      const v = node.nodeValue.trim();
      if (v) lines.push(pad + v);
      return;
    }
    if (node.nodeType === 8) { lines.push(`${pad}<!--${node.nodeValue}-->`); return; }
    if (node.nodeType === 7) { lines.push(`${pad}<?${node.target} ${node.data}?>`); return; }
    if (node.nodeType !== 1) return;
    const attrs = [...node.attributes].map((a) => ` ${a.name}="${a.value}"`).join("");
    const kids = [...node.childNodes].filter((c) => c.nodeType !== 3 || c.nodeValue.trim());
    if (!kids.length) lines.push(`${pad}<${node.nodeName}${attrs}/>`);
    else if (kids.length === 1 && kids[0].nodeType === 3) lines.push(`${pad}<${node.nodeName}${attrs}>${kids[0].nodeValue.trim()}</${node.nodeName}>`);
    else {
      lines.push(`${pad}<${node.nodeName}${attrs}>`);
      for (const c of kids) walk(c, depth + 1);
      lines.push(`${pad}</${node.nodeName}>`);
    }
  };
  for (const n of doc.childNodes) walk(n, 0);
  return lines.join("\n");
}

function links(list, products) {
  list.replaceChildren(...(products.length ? products.map((p) => el("li", {}, el("a", { href: productHref(p.id), text: p.title || p.id }), el("span", { class: "lidvid", text: ` ${p.id}` }))) : [el("li", { text: t("none") })]));
}

async function related(path, list) {
  try {
    const page = await api(`/products/${enc}/${path}?limit=100`);
    links(list, page.data || []);
  } catch (error) {
    // Basic products have no members: the API answers 400; show "none" either way.
    links(list, []);
  }
}

function filesOf(product) {
  if (Array.isArray(product.files) && product.files.length) return product.files;
  const files = [];
  const label = prop(product, "ops:Label_File_Info.ops:file_ref");
  if (label) files.push({ name: prop(product, "ops:Label_File_Info.ops:file_name"), role: "label", size: Number(prop(product, "ops:Label_File_Info.ops:file_size")), md5: prop(product, "ops:Label_File_Info.ops:md5_checksum"), href: label });
  const refs = props(product, "ops:Data_File_Info.ops:file_ref");
  refs.forEach((href, i) => files.push({ name: props(product, "ops:Data_File_Info.ops:file_name")[i], role: "data", size: Number(props(product, "ops:Data_File_Info.ops:file_size")[i]), md5: props(product, "ops:Data_File_Info.ops:md5_checksum")[i], href }));
  return files;
}

/** Same-origin path of a file URL, so downloads never go to another host from this page. */
function localHref(href) {
  try {
    const u = new URL(href, window.location.href);
    return u.origin === window.location.origin ? u.pathname + u.search : href;
  } catch {
    return href;
  }
}

function renderFiles(product) {
  const body = $("files").querySelector("tbody");
  body.replaceChildren();
  for (const f of filesOf(product)) {
    const name = (f.name || "").split("/").pop();
    const href = localHref(f.href);
    const link = el("a", { href, download: name, class: "download", "data-md5": f.md5 || "", text: t("download") });
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      link.textContent = t("downloading");
      try {
        await downloadWithToken(href, name);
      } finally {
        link.textContent = t("download");
      }
    });
    body.append(el("tr", {}, el("td", {}, el("code", { text: f.name })), el("td", { text: f.role }), el("td", { class: "num", text: formatBytes(f.size) }), el("td", {}, el("code", { class: "md5", text: f.md5 || "" })), el("td", {}, link)));
  }
}

async function renderQuicklook() {
  try {
    const response = await api(`/ui/api/quicklook/${enc}`, { accept: "image/png", raw: true });
    const img = $("quicklook");
    img.src = URL.createObjectURL(await response.blob());
    img.hidden = false;
    await img.decode().catch(() => {});
    img.dataset.loaded = "1";
  } catch {
    $("quicklook-note").textContent = t("no_quicklook");
  }
}

async function renderFootprint(product) {
  const target = prop(product, "pds:Target_Identification.pds:name") || "";
  try {
    // The product as a GeoJSON Feature (geometry null when it has no footprint).
    const feature = await api(`/products/${enc}`, { accept: "application/geo+json" });
    const features = (feature.type === "FeatureCollection" ? feature.features : [feature]).filter((f) => f && f.geometry);
    if (!features.length) throw new Error("none");
    const lat = features[0].bbox ? (features[0].bbox[1] + features[0].bbox[3]) / 2 : centroidLat(features[0].geometry);
    const projection = lat < -60 ? "south" : lat > 60 ? "north" : "eqc";
    const body = features[0].properties?.body || target || "Moon";
    const map = createMap($("small-map"), { projection, small: true, label: t("map_label", { body }) });
    map.setFootprints({ type: "FeatureCollection", features });
    map.highlight(product.id);
    map.fitFootprints();
    window.lunadcProduct = { map };
  } catch {
    $("small-map").hidden = true;
    $("footprint-note").textContent = t("no_footprint");
  }
}

function centroidLat(geometry) {
  const flat = JSON.stringify(geometry.coordinates).match(/-?\d+(\.\d+)?(e-?\d+)?/g)?.map(Number) || [];
  const lats = flat.filter((_v, i) => i % 2 === 1);
  return lats.length ? lats.reduce((a, b) => a + b, 0) / lats.length : 0;
}

async function main() {
  let product;
  try {
    product = await api(`/products/${enc}`);
  } catch (error) {
    $("status").textContent = error.status === 404 ? t("not_found") : t("error", { reason: error.message });
    document.body.dataset.ready = "1";
    return;
  }
  document.title = `${product.title} · ${document.title.split(" · ").pop()}`;
  $("title").textContent = product.title || product.id;
  const lidvid = product.id;
  const lid = prop(product, "lid") || lidvid.split("::")[0];
  fill("lidvid", lidvid);
  fill("lid", lid);
  fill("vid", prop(product, "vid") || product.metadata?.version);
  fill("type", product.type || prop(product, "product_class"));
  fill("start", product.start_date_time && formatTime(product.start_date_time));
  fill("stop", product.stop_date_time && formatTime(product.stop_date_time));
  fill("mission", props(product, "pds:Investigation_Area.pds:name").join(", ") || product.investigations?.map((r) => r.id).join(", "));
  fill("instrument", props(product, "pds:Observing_System_Component.pds:name").join(", ") || product.observing_system_components?.map((r) => r.id).join(", "));
  fill("target", props(product, "pds:Target_Identification.pds:name").join(", ") || product.targets?.map((r) => r.id).join(", "));
  fill("level", prop(product, "pds:Primary_Result_Summary.pds:processing_level"));
  fill("home", product.home_node ?? prop(product, "ops:Harvest_Info.ops:node_name"));
  // Access and where the product lives: asked of the node with the same policy check.
  try {
    const info = await api(`/ui/api/product-info/${enc}`);
    fill("access", t(`access_${info.access}`));
    fill("release", info.release_at ? formatTime(info.release_at) : undefined);
    fill("home", info.home_node);
    fill("replicas", info.home_node !== info.this_node ? `${info.this_node} (${info.replica_state ?? t("none")})` : undefined);
  } catch {
    fill("access", undefined);
  }
  $("description").textContent = product.description || "";
  renderFiles(product);
  document.body.dataset.ready = "1";
  await Promise.all([
    renderQuicklook(),
    renderFootprint(product),
    // Only bundles and collections have members; asking a basic product is a 400.
    /Product_(Bundle|Collection)/.test(product.type || "") ? related("members", $("members")) : links($("members"), []),
    related("member-of", $("parents")),
    // The label file itself (as ingested), not the API's wrapper around it.
    api(localHref(product.metadata?.label_url || prop(product, "ops:Label_File_Info.ops:file_ref")), { accept: "application/xml, text/xml, */*" })
      .then((xml) => { $("label").textContent = prettyXml(xml); })
      .catch((error) => { $("label").textContent = t("error", { reason: error.message }); }),
  ]);
  document.body.dataset.complete = "1";
}

main();
