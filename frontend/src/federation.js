// Federation status for operators: peers, lag, replication queue, failures with reasons.
import { api, el, formatBytes, formatNumber, formatTime, t } from "./common.js";

const $ = (id) => document.getElementById(id);

function peersOf(status) {
  const raw = status.peers ?? [];
  return Array.isArray(raw) ? raw : Object.entries(raw).map(([name, v]) => ({ name, ...v }));
}

function failures(peer) {
  const list = peer.failures ?? peer.errors ?? [];
  if (!Array.isArray(list) || !list.length) return t("none");
  return el("ul", { class: "failures" }, list.slice(0, 20).map((f) => el("li", { text: typeof f === "string" ? f : `${f.file ?? f.lidvid ?? ""} ${f.reason ?? f.error ?? ""}`.trim() })));
}

async function main() {
  $("status").textContent = t("loading");
  let s;
  try {
    s = await api("/federation/status");
  } catch (error) {
    $("status").textContent = error.status === 401 || error.status === 403 ? t("need_admin") : error.status === 404 ? t("federation_missing") : t("error", { reason: error.message });
    return;
  }
  $("status").textContent = "";
  $("peers").querySelector("tbody").replaceChildren(
    ...peersOf(s).map((p) =>
      el("tr", {},
        el("th", { scope: "row", text: p.name ?? p.node_id ?? p.peer }),
        el("td", { text: (p.reachable ?? p.ok) ? t("peer_reachable") : t("peer_unreachable") }),
        el("td", { text: String(p.last_applied ?? p.last_seq ?? p.last_change ?? "–") }),
        el("td", { class: "num", text: formatNumber(p.lag_events ?? p.lag?.events) }),
        el("td", { text: p.lag_seconds !== undefined ? `${formatNumber(p.lag_seconds)} s` : p.last_sync ? formatTime(p.last_sync) : "–" }),
        el("td", { class: "num", text: formatNumber(p.queue ?? p.replication_queue ?? p.queued) }),
        el("td", { class: "num", text: formatBytes(p.bytes_replicated ?? p.bytes) }),
        el("td", {}, failures(p)))),
  );
  const fixity = s.fixity ?? s.last_fixity;
  $("fixity").textContent = fixity ? JSON.stringify(fixity) : t("none");
  $("content").hidden = false;
  document.body.dataset.ready = "1";
}

main();
