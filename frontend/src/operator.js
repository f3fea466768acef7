// Node status for operators: catalog size, storage used, ingest history (admin role only).
import { api, el, formatBytes, formatNumber, formatTime, t } from "./common.js";

const $ = (id) => document.getElementById(id);

function fill(key, text) {
  document.querySelector(`[data-k="${key}"]`).textContent = text;
}

async function main() {
  $("status").textContent = t("loading");
  let s;
  try {
    s = await api("/ui/api/node-status");
  } catch (error) {
    $("status").textContent = error.status === 401 || error.status === 403 ? t("need_admin") : t("error", { reason: error.message });
    return;
  }
  $("status").textContent = "";
  fill("products", formatNumber(s.catalog.products));
  fill("latest", formatNumber(s.catalog.latest));
  fill("files", formatNumber(s.catalog.files));
  fill("bytes", formatBytes(s.catalog.bytes));
  fill("used", formatBytes(s.storage.used_bytes));
  $("history").querySelector("tbody").replaceChildren(
    ...s.ingest_history.map((r) =>
      el("tr", {},
        el("td", { text: formatTime(r.started_at) }),
        el("td", { text: r.finished_at ? formatTime(r.finished_at) : "–" }),
        el("td", { class: "num", text: formatNumber(r.ingested) }),
        el("td", { class: "num", text: formatNumber(r.unchanged) }),
        el("td", { class: "num", text: formatNumber(r.rejected) }),
        el("td", { class: "num", text: formatBytes(r.bytes) }),
        el("td", {}, el("code", { text: r.source || "" })))),
  );
  $("content").hidden = false;
  document.body.dataset.ready = "1";
}

main();
