// Shared by every page: configuration, translations, formatting per language, the API client
// (Bearer token from sessionStorage) and the header's sign-in state.

const TOKEN_KEY = "lunadc.token";
const USER_KEY = "lunadc.user";

export const config = JSON.parse(document.getElementById("ui-config").textContent);

/** A translated UI string with {placeholders} filled in. */
export function t(key, vars = {}) {
  const text = config.messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token, user) {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

export function currentUser() {
  try {
    return JSON.parse(sessionStorage.getItem(USER_KEY) || "null");
  } catch {
    return null;
  }
}

export function authHeaders(extra = {}) {
  const token = getToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function reason(response) {
  try {
    const body = await response.json();
    return body.detail || body.message || body.title || response.statusText;
  } catch {
    return response.statusText || String(response.status);
  }
}

/** fetch() against this node with the user's token; rejects with ApiError on non-2xx. */
export async function api(path, { accept = "application/json", signal, raw = false, token } = {}) {
  const headers = token ? { Accept: accept, Authorization: `Bearer ${token}` } : authHeaders({ Accept: accept });
  const response = await fetch(path, { headers, signal, credentials: "same-origin" });
  if (!response.ok) throw new ApiError(response.status, await reason(response));
  if (raw) return response;
  return accept.includes("json") ? response.json() : response.text();
}

// ---- formatting with the CLDR data Babel sent for this language ----
const L = config.locale;

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const fixed = Math.abs(Number(value)).toFixed(digits);
  const [int, frac] = fixed.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, L.group);
  return (Number(value) < 0 ? "-" : "") + grouped + (frac ? L.decimal + frac : "");
}

export function formatPercent(fraction) {
  return formatNumber(fraction * 100, 1) + L.percent;
}

export function formatBytes(n) {
  if (n === null || n === undefined) return "–";
  const units = [["size_gb", 1e9], ["size_mb", 1e6], ["size_kb", 1e3]];
  for (const [key, size] of units) if (n >= size) return t(key, { n: formatNumber(n / size, 1) });
  return t("size_b", { n: formatNumber(n) });
}

function pad(n, width = 2) {
  return String(n).padStart(width, "0");
}

function applyPattern(pattern, d) {
  // The subset of LDML patterns CLDR uses for medium dates: y, M/MM/MMM, d/dd, H/HH, mm, ss, 'text'.
  return pattern.replace(/'([^']*)'|y+|M+|d+|H+|m+|s+/g, (token, quoted) => {
    if (quoted !== undefined) return quoted;
    switch (token[0]) {
      case "y": return String(d.getUTCFullYear());
      case "M": return token.length >= 3 ? L.months[d.getUTCMonth()] : token.length === 2 ? pad(d.getUTCMonth() + 1) : String(d.getUTCMonth() + 1);
      case "d": return token.length === 2 ? pad(d.getUTCDate()) : String(d.getUTCDate());
      case "H": return pad(d.getUTCHours());
      case "m": return pad(d.getUTCMinutes());
      case "s": return pad(d.getUTCSeconds());
      default: return token;
    }
  });
}

/** An ISO time as this language writes dates, in UTC. */
export function formatTime(iso) {
  if (!iso) return t("no_time");
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = applyPattern(L.date_pattern, d);
  const time = applyPattern(L.time_pattern, d);
  return L.datetime_pattern.replace("{1}", date).replace("{0}", time) + " UTC";
}

// ---- DOM helpers ----
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export function productHref(id) {
  return `/ui/product/${encodeURIComponent(id)}`;
}

/** The first value of a PDS properties entry. */
export function prop(product, ...names) {
  for (const name of names) {
    const v = product.properties?.[name];
    if (Array.isArray(v) && v.length) return v[0];
    if (typeof v === "string") return v;
  }
  return undefined;
}

export function props(product, name) {
  const v = product.properties?.[name];
  return Array.isArray(v) ? v : v ? [v] : [];
}

/** Download a file with the user's token and compare nothing: the caller checks if it wants. */
export async function downloadWithToken(href, name) {
  const response = await api(href, { accept: "*/*", raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function initHeader() {
  const user = currentUser();
  const who = document.getElementById("whoami");
  const link = document.getElementById("signin-link");
  const out = document.getElementById("signout");
  if (user && getToken()) {
    who.textContent = t("signed_in_as", { name: user.name });
    link.hidden = true;
    out.hidden = false;
  }
  out.addEventListener("click", () => {
    clearToken();
    window.location.reload();
  });
}

initHeader();
