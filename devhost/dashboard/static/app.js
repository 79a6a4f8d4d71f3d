// devhost dashboard: the instance list and one instance, kept live by server-sent change events.
// Reads /_devhost/api/...; actions go to the durable management API like any durable client.
"use strict";

const PAGE = "/_devhost/dashboard/";
const API = "/_devhost/api";
const MANAGEMENT = "/runtime/webhooks/durabletask/instances/";
const STATUSES = ["Running", "Pending", "Suspended", "Completed", "Failed", "Terminated", "ContinuedAsNew", "Canceled"];
const TERMINAL = new Set(["Completed", "Failed", "Terminated", "Canceled"]);
const PAGE_SIZE = 50;

const $ = (id) => document.getElementById(id);

// -- small DOM helpers -----------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.setAttribute("style", value);
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "title" || key === "href")
      node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

function formatTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  const today = new Date();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === today.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

function formatDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), sec = total % 60;
  return h ? `${h}h ${pad(m)}m ${pad(sec)}s` : `${m}m ${pad(sec)}s`;
}

function countdownText(ms) {
  if (ms <= 0) return "due now";
  const total = Math.ceil(ms / 1000);
  const d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60), s = total % 60;
  if (d) return `in ${d}d ${h}h ${pad(m)}m`;
  if (h) return `in ${h}h ${pad(m)}m ${pad(s)}s`;
  return `in ${m}m ${pad(s)}s`;
}

function showJson(node, value) {
  node.textContent = value === null || value === undefined ? "—" : JSON.stringify(value, null, 2);
}

// The host's clock may be virtual (tests) or just differ from the browser's: keep the offset.
let clockOffset = 0;
function syncClock(serverNow) {
  if (serverNow) clockOffset = Date.parse(serverNow) - Date.now();
}
const hostNow = () => Date.now() + clockOffset;

// -- routing ---------------------------------------------------------------------------------
function route() {
  const path = location.pathname;
  const match = path.match(/\/_devhost\/dashboard\/instances\/([^/]+)$/);
  return match ? { view: "instance", id: decodeURIComponent(match[1]) } : { view: "list" };
}

function navigate(url) {
  history.pushState(null, "", url);
  show();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-nav]");
  if (link && !event.metaKey && !event.ctrlKey && !event.shiftKey && event.button === 0) {
    event.preventDefault();
    navigate(link.getAttribute("href"));
  }
});
window.addEventListener("popstate", show);

let current = route();
function show() {
  current = route();
  $("list-view").hidden = current.view !== "list";
  $("instance-view").hidden = current.view !== "instance";
  if (current.view === "instance") {
    $("action-result").textContent = "";
    $("action-result").className = "action-result";
    $("event-name").value = "";
    $("event-data").value = "{}";
    instanceShown = null;
  }
  refresh();
}

// -- loading, one request at a time, again if something changed meanwhile -------------------
let loading = false;
let again = false;
async function refresh() {
  if (loading) { again = true; return; }
  loading = true;
  try {
    do {
      again = false;
      if (current.view === "list") { await loadList(); await loadEntities(); }
      else await loadInstance(current.id);
    } while (again);
  } catch (error) {
    console.error(error);
  } finally {
    loading = false;
  }
}

async function getJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

// -- the instance list -------------------------------------------------------------------------
const listState = { cursors: [null], page: 0, next: null };

function filterQuery() {
  const params = new URLSearchParams();
  const statuses = [...document.querySelectorAll("#status-chips input:checked")].map((i) => i.value);
  if (statuses.length) params.set("status", statuses.join(","));
  if ($("name-filter").value) params.set("name", $("name-filter").value);
  const prefix = $("prefix-filter").value.trim();
  if (prefix) params.set("prefix", prefix);
  return params;
}

function buildStatusChips() {
  const box = $("status-chips");
  for (const status of STATUSES) {
    box.append(el("label", { class: "chip", "data-status": status },
      el("input", { type: "checkbox", value: status }),
      el("span", { class: `badge status-${status}` }, status),
      el("span", { class: "count", "data-count": status }, "0")));
  }
}

function resetPaging() {
  listState.cursors = [null];
  listState.page = 0;
  refresh();
}

async function loadList() {
  const params = filterQuery();
  params.set("limit", PAGE_SIZE);
  const cursor = listState.cursors[listState.page];
  if (cursor) params.set("after", cursor);
  const { status, body } = await getJson(`${API}/instances?${params}`);
  if (status !== 200) {
    $("page-info").textContent = body && body.error ? body.error : `error ${status}`;
    return;
  }
  syncClock(body.now);
  $("hub-name").textContent = body.hub;
  for (const [name, count] of Object.entries(body.counts)) {
    const node = document.querySelector(`[data-count="${name}"]`);
    if (node) node.textContent = count;
  }
  const select = $("name-filter");
  const chosen = select.value;
  const known = [...select.options].map((o) => o.value).filter(Boolean);
  if (known.join("\n") !== body.names.join("\n")) {
    select.replaceChildren(el("option", { value: "" }, "All"), ...body.names.map((n) => el("option", { value: n }, n)));
    select.value = chosen;
  }
  const rows = body.instances.map((inst) => {
    const href = `${PAGE}instances/${encodeURIComponent(inst.instanceId)}`;
    const row = el("tr", { "data-instance-id": inst.instanceId },
      el("td", {}, el("a", { href, "data-nav": "" }, el("code", {}, inst.instanceId))),
      el("td", {}, inst.name),
      el("td", {}, el("span", { class: `badge status-${inst.runtimeStatus}` }, inst.runtimeStatus)),
      el("td", { class: "time", title: inst.createdTime }, formatTime(inst.createdTime)),
      el("td", { class: "time", title: inst.lastUpdatedTime }, formatTime(inst.lastUpdatedTime)));
    row.addEventListener("click", (event) => { if (!event.target.closest("a")) navigate(href); });
    return row;
  });
  $("instance-rows").replaceChildren(...rows);
  $("empty-list").hidden = rows.length > 0;
  listState.next = body.next;
  $("older").disabled = !body.next;
  $("newer").disabled = listState.page === 0;
  const first = listState.page * PAGE_SIZE;
  $("page-info").textContent = rows.length
    ? `${first + 1}–${first + rows.length} of ${body.total}` : `0 of ${body.total}`;
}

// -- the entity list: the first pages, state included ---------------------------------------------
const entityState = { pages: 1 };

async function loadEntities() {
  let after = null;
  const items = [];
  let next = null;
  for (let page = 0; page < entityState.pages; page += 1) {
    const params = new URLSearchParams({ limit: PAGE_SIZE });
    if (after) params.set("after", after);
    const { status, body } = await getJson(`${API}/entities?${params}`);
    if (status !== 200) return;
    items.push(...body.entities);
    next = body.next;
    if (!next) break;
    after = next;
  }
  const rows = items.map((e) => el("tr", { "data-entity-id": e.entityId },
    el("td", {}, e.name),
    el("td", {}, el("code", {}, e.key)),
    el("td", { class: "state" }, e.exists ? JSON.stringify(e.state) : "(no state yet)"),
    el("td", { class: "time", title: e.lastOperationTime || "" }, formatTime(e.lastOperationTime)),
    el("td", { class: "queued" }, String(e.queued))));
  $("entity-rows").replaceChildren(...rows);
  $("empty-entities").hidden = rows.length > 0;
  $("more-entities").hidden = !next;
}

// -- one instance ------------------------------------------------------------------------------
let instanceShown = null;

async function loadInstance(id) {
  const { status, body } = await getJson(`${API}/instances/${encodeURIComponent(id)}`);
  $("crumb-id").textContent = id;
  $("instance-id").textContent = id;
  if (status === 404) {
    $("missing").hidden = false;
    $("instance-status").textContent = "Not found";
    $("instance-status").className = "badge";
    instanceShown = null;
    return;
  }
  if (status !== 200) return;
  $("missing").hidden = true;
  instanceShown = body;
  syncClock(body.now);
  $("hub-name").textContent = body.hub;
  document.title = `${body.name} ${id} — devhost dashboard`;
  $("instance-name").textContent = body.name;
  const badge = $("instance-status");
  badge.textContent = body.runtimeStatus;
  badge.className = `badge status-${body.runtimeStatus}`;
  $("instance-version-row").hidden = body.version === null || body.version === undefined;
  $("instance-version").textContent = body.version ?? "";
  $("instance-created").textContent = formatTime(body.createdTime);
  $("instance-updated").textContent = formatTime(body.lastUpdatedTime);
  showJson($("input-json"), body.input);
  showJson($("custom-json"), body.customStatus);
  showJson($("output-json"), body.output);
  renderWaiting(body);
  renderTimeline(body);
  renderActions(body);
}

function renderWaiting(body) {
  const w = body.waiting;
  const items = [];
  for (const e of w.events) {
    items.push(el("li", { class: "wait-event", "data-event": e.name },
      el("span", { class: "icon", "aria-hidden": "true" }, "✉"),
      el("span", {}, "External event ", el("span", { class: "what" }, e.name),
        e.count > 1 ? ` (${e.count} waits)` : "")));
  }
  if (!w.eventsKnown) {
    items.push(el("li", { class: "none" }, "Open event waits unknown (orchestrator not loaded)"));
  }
  for (const t of w.timers) {
    items.push(el("li", { class: "wait-timer", "data-timer": t.timerId },
      el("span", { class: "icon", "aria-hidden": "true" }, "⏱"),
      el("span", {}, el("span", { class: "what" }, t.retry ? "Retry delay" : "Durable timer"),
        " fires at ", el("time", { dateTime: t.fireAt, title: t.fireAt }, formatTime(t.fireAt))),
      el("span", { class: "countdown", "data-fire-at": t.fireAt }, "")));
  }
  for (const a of w.activities) {
    items.push(el("li", { class: "wait-activity" },
      el("span", { class: "icon", "aria-hidden": "true" }, "⚙"),
      el("span", {}, "Activity ", el("span", { class: "what" }, a.name), " running")));
  }
  for (const c of w.entities || []) {
    items.push(el("li", { class: "wait-entity" },
      el("span", { class: "icon", "aria-hidden": "true" }, "◆"),
      el("span", {}, "Entity call ", el("span", { class: "what" }, c.call))));
  }
  if (!items.length) {
    items.push(el("li", { class: "none" },
      TERMINAL.has(body.runtimeStatus) ? `Nothing: the instance is ${body.runtimeStatus}.` : "Nothing pending right now."));
  }
  $("waiting").replaceChildren(...items);
  tick();
}

function tick() {
  for (const node of document.querySelectorAll("[data-fire-at]")) {
    node.textContent = countdownText(Date.parse(node.dataset.fireAt) - hostNow());
  }
  const timeline = $("timeline");
  if (timeline.dataset.start) {
    const start = Number(timeline.dataset.start), span = Number(timeline.dataset.span);
    const left = Math.min(100, Math.max(0, ((hostNow() - start) / span) * 100));
    for (const line of timeline.querySelectorAll(".tl-now")) line.style.left = `${left}%`;
  }
}
setInterval(tick, 250);

const ICONS = { activity: "A", timer: "T", "retry-timer": "R", event: "E", suborchestration: "S", entity: "N", signal: "→", lifecycle: "●" };

function itemSummary(item) {
  switch (item.kind) {
    case "activity":
    case "suborchestration":
    case "entity":
      if (item.state === "running") return "running";
      if (item.state === "abandoned") return "did not finish";
      return `${item.state} in ${formatDuration(item.duration_ms)}`;
    case "timer":
    case "retry-timer":
      if (item.state === "pending") return `pending, fires ${formatTime(item.due)}`;
      if (item.state === "fired") return `fired after ${formatDuration(item.duration_ms)}`;
      return `cancelled before its deadline ${formatTime(item.due)}`;
    case "event":
      return `event raised at ${formatTime(item.start)}`;
    case "signal":
      return `signal sent at ${formatTime(item.start)}`;
    default:
      return formatTime(item.start);
  }
}

function itemLabel(item) {
  if (item.kind === "activity") return `Activity ${item.label}`;
  if (item.kind === "event") return `Event ${item.label}`;
  if (item.kind === "suborchestration") return `Sub-orchestration ${item.label}`;
  if (item.kind === "entity") return `Entity call ${item.label}`;
  if (item.kind === "signal") return `Entity signal ${item.label}`;
  return item.label;
}

function renderTimeline(body) {
  const t = body.timeline;
  const start = Date.parse(t.start);
  const span = Math.max(Date.parse(t.end) - start, 1);
  const pos = (iso) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / span) * 100));
  const running = !TERMINAL.has(body.runtimeStatus);
  const nowPos = pos(body.now);
  // Axis ticks; while running, the tick under the "now" marker gives way to it.
  const ticks = [0, 0.25, 0.5, 0.75, 1].filter((f) => !running || Math.abs(f * 100 - nowPos) > 7);
  const scale = el("div", { class: "tl-scale" },
    ticks.map((f) => el("span", { class: f === 0 ? "first" : f === 1 ? "last" : "", style: `left:${f * 100}%` },
      formatTime(new Date(start + f * span).toISOString()))));
  if (running) scale.append(el("div", { class: "tl-now", style: `left:${nowPos}%`, title: body.now }));
  const rows = t.items.map((item) => {
    const track = el("div", { class: "tl-track" });
    if (item.end) {
      const left = pos(item.start);
      track.append(el("div", { class: "tl-bar", style: `left:${left}%;width:${Math.max(pos(item.end) - left, 0.4)}%`,
        title: `${item.start} → ${item.end}` }));
    } else if (item.kind === "activity" || item.kind === "suborchestration" || item.kind === "entity") {
      const left = pos(item.start);
      track.append(el("div", { class: "tl-bar", style: `left:${left}%;width:${Math.max(nowPos - left, 0.4)}%` }));
    } else {
      track.append(el("div", { class: "tl-dot", style: `left:${pos(item.start)}%`, title: item.start }));
    }
    if (running) track.append(el("div", { class: "tl-now", style: `left:${nowPos}%` }));
    return el("li", { class: `tl-row kind-${item.kind} state-${item.state}`, "data-kind": item.kind, "data-state": item.state },
      el("div", { class: "tl-label" },
        el("span", { class: "tl-icon", "aria-hidden": "true" }, ICONS[item.kind] || "•"),
        el("span", { class: "tl-text" },
          el("b", {}, itemLabel(item)),
          el("small", {}, itemSummary(item)),
          item.detail && item.detail !== "null" && item.kind !== "timer" && item.kind !== "retry-timer"
            ? el("span", { class: "tl-detail", title: item.detail }, item.detail) : null)),
      track);
  });
  $("timeline").dataset.start = start;
  $("timeline").dataset.span = span;
  $("timeline").replaceChildren(
    el("div", { class: "tl-axis" }, el("span", {}, `${formatDuration(span)} shown`), scale),
    el("ol", { class: "tl-rows" }, rows));
}

function renderActions(body) {
  const active = !TERMINAL.has(body.runtimeStatus);
  const names = body.waiting.events.map((e) => e.name);
  $("event-names").replaceChildren(...names.map((n) => el("option", { value: n })));
  if (!$("event-name").value && names.length) $("event-name").value = names[0];
  $("raise-button").disabled = !active;
  $("suspend-button").disabled = !active || body.runtimeStatus === "Suspended";
  $("resume-button").disabled = body.runtimeStatus !== "Suspended";
  $("terminate-button").disabled = !active;
  $("purge-button").disabled = active;
}

// -- actions, each confirmed, sent to the durable management API -------------------------------
function confirmAction(title, text, payload) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-payload").hidden = payload === undefined;
  $("confirm-payload").textContent = payload ?? "";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

function report(ok, message) {
  const node = $("action-result");
  node.textContent = message;
  node.className = `action-result ${ok ? "ok" : "error"}`;
}

async function explain(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return [body.Message, body.ExceptionMessage, body.error].filter(Boolean).join(": ") || text;
  } catch {
    if (response.status === 404) return "the instance was not found (404)";
    if (response.status === 410) return "the instance has already finished (410 Gone)";
    return text || `HTTP ${response.status}`;
  }
}

async function send(method, url, init = {}) {
  try {
    return await fetch(url, { method, ...init });
  } catch (error) {
    report(false, `Could not reach devhost: ${error.message}`);
    return null;
  }
}

function instanceUrl(id) {
  return MANAGEMENT + encodeURIComponent(id);
}

$("raise-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = current.id;
  const name = $("event-name").value.trim();
  const data = $("event-data").value;
  if (!name) { report(false, "Enter the name of the event to raise."); return; }
  if (!await confirmAction(`Raise “${name}”?`, `Send event ${name} to instance ${id} with this data:`, data)) return;
  const response = await send("POST", `${instanceUrl(id)}/raiseEvent/${encodeURIComponent(name)}`,
    { headers: { "Content-Type": "application/json" }, body: data });
  if (!response) return;
  if (response.ok) report(true, `Event ${name} raised (${response.status} ${response.statusText || "Accepted"}).`);
  else report(false, `Event not raised: ${await explain(response)}`);
  refresh();
});

async function lifecycle(operation, verb) {
  const id = current.id;
  const reason = $("reason").value.trim();
  const text = `${verb} instance ${id}${reason ? ` (reason: ${reason})` : ""}?`;
  if (!await confirmAction(`${verb} this instance?`, text)) return;
  const query = reason ? `?reason=${encodeURIComponent(reason)}` : "";
  const response = await send("POST", `${instanceUrl(id)}/${operation}${query}`);
  if (!response) return;
  if (response.ok) report(true, `${verb} requested (${response.status}).`);
  else report(false, `${verb} refused: ${await explain(response)}`);
  refresh();
}

$("suspend-button").addEventListener("click", () => lifecycle("suspend", "Suspend"));
$("resume-button").addEventListener("click", () => lifecycle("resume", "Resume"));
$("terminate-button").addEventListener("click", () => lifecycle("terminate", "Terminate"));
$("purge-button").addEventListener("click", async () => {
  const id = current.id;
  if (!await confirmAction("Purge this instance?", `Delete instance ${id} and its whole history? This cannot be undone.`)) return;
  const response = await send("DELETE", instanceUrl(id));
  if (!response) return;
  if (response.ok) navigate(PAGE);
  else report(false, `Purge refused: ${await explain(response)}`);
});

// -- live updates --------------------------------------------------------------------------------
function listen() {
  const live = $("live");
  const source = new EventSource(`${API}/changes`);
  source.addEventListener("hello", () => { live.dataset.state = "live"; live.textContent = "live"; refresh(); });
  source.addEventListener("change", (event) => {
    try { syncClock(JSON.parse(event.data).now); } catch { /* keep the last offset */ }
    refresh();
  });
  source.addEventListener("error", () => { live.dataset.state = "offline"; live.textContent = "reconnecting…"; });
}

// -- start ---------------------------------------------------------------------------------------
buildStatusChips();
$("status-chips").addEventListener("change", resetPaging);
$("name-filter").addEventListener("change", resetPaging);
let typing = null;
$("prefix-filter").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(resetPaging, 200); });
$("filters").addEventListener("submit", (event) => event.preventDefault());
$("older").addEventListener("click", () => {
  if (!listState.next) return;
  listState.cursors[listState.page + 1] = listState.next;
  listState.page += 1;
  refresh();
});
$("more-entities").addEventListener("click", () => { entityState.pages += 1; refresh(); });
$("newer").addEventListener("click", () => {
  if (listState.page === 0) return;
  listState.page -= 1;
  refresh();
});
show();
listen();
