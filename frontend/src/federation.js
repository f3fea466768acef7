// Federation status for operators (admin role): each peer with reachability, change-feed
// position and lag, replication queue, bytes replicated and failures with their reasons.
import { api, el, formatBytes, formatNumber, formatTime, t } from "./common.js";

const $ = (id) => document.getElementById(id);

/** Replicas still to fetch: every state but complete (pending, failed, ...). */
function queued(replicas) {
  return Object.entries(replicas || {}).reduce((n, [state, count]) => (state === "complete" ? n : n + count), 0);
}

function failures(peer) {
  const list = Array.isArray(peer.failures) ? peer.failures : [];
  const items = list.slice(0, 20).map((f) => el("li", {}, el("code", { text: `${f.lidvid ?? ""} ${f.path ?? ""}`.trim() }), ` ${f.reason ?? ""}`, f.at ? el("span", { class: "when", text: ` (${formatTime(f.at)})` }) : null));
  if (peer.last_error) items.unshift(el("li", { class: "last-error", text: peer.last_error }));
  return items.length ? el("ul", { class: "failures" }, items) : t("none");
}

function lag(peer) {
  const events = formatNumber(peer.lag_events);
  return peer.lag_seconds === null || peer.lag_seconds === undefined ? events : `${events} · ${t("lag_seconds", { n: formatNumber(peer.lag_seconds) })}`;
}

async function main() {
  $("status").textContent = t("loading");
  let s;
  try {
    s = await api("/ui/api/federation-status");
  } catch (error) {
    $("status").textContent = error.status === 401 || error.status === 403 ? t("need_admin") : t("error", { reason: error.message });
    return;
  }
  const peers = s.peers || [];
  $("status").textContent = peers.length ? "" : t("no_peers");
  $("peers").querySelector("tbody").replaceChildren(
    ...peers.map((p) =>
      el("tr", { "data-peer": p.name },
        el("th", { scope: "row" }, el("strong", { text: p.name }), el("div", {}, el("code", { text: p.url }))),
        el("td", { text: p.reachable === null ? "–" : p.reachable ? t("peer_reachable") : t("peer_unreachable") }),
        el("td", { text: p.last_ok_at ? `${formatNumber(p.last_seq)} · ${formatTime(p.last_ok_at)}` : formatNumber(p.last_seq) }),
        el("td", { class: "num", text: lag(p) }),
        el("td", { class: "num", text: formatNumber(queued(p.replicas)) }),
        el("td", { class: "num", text: formatBytes(p.bytes_replicated) }),
        el("td", {}, failures(p)))),
  );
  const fixity = s.fixity ?? s.last_fixity;
  $("fixity").textContent = fixity ? JSON.stringify(fixity) : t("fixity_none");
  $("content").hidden = false;
  document.body.dataset.ready = "1";
}

main();
