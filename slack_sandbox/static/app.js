// The sandbox workspace page: who you are, channels, messages, composer, modals, the app's Home tab,
// live updates.
import { renderBlocks } from "./blocks.js";
import { escapeHtml, formatClock, mrkdwn, plain } from "./mrkdwn.js";

const $ = (id) => document.getElementById(id);
const state = {
  me: null, team: "", users: {}, humans: [], channels: [], messages: {}, views: [], commands: [],
  current: null, unread: {}, socket: null, highlight: null, drafts: {}, draftsFor: null,
  home: null, homeTab: false,
};
const HOME = "HOME";  // state.current while the app's Home tab is shown

const me = () => state.users[state.me];
const timeZone = () => me()?.tz || "UTC";
const ctx = () => ({
  users: state.users, timeZone: timeZone(),
  channels: Object.fromEntries(state.channels.map((c) => [c.id, c])),
});

async function api(path, body) {
  const resp = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  return resp.json().catch(() => ({ok: false, error: `HTTP ${resp.status}`}));
}

// ---- loading and live updates ----------------------------------------------------------------
function initialUser() {
  const asParam = new URLSearchParams(location.search).get("as");
  return asParam || localStorage.getItem("sandbox.user") || null;
}

function load(userId) {
  connect(userId);
}

function apply(data) {
  state.me = data.me;
  state.team = data.team;
  state.users = Object.fromEntries(data.users.map((u) => [u.id, u]));
  state.humans = data.humans;
  state.channels = data.channels;
  state.messages = data.messages;
  state.views = data.views;
  state.commands = data.commands;
  state.home = data.home;
  state.homeTab = data.home_tab;
  state.unread = {};
  localStorage.setItem("sandbox.user", state.me);
  document.body.dataset.user = state.me;
  const fromLink = archiveTarget();
  const keep = state.channels.find((c) => c.id === (fromLink?.channel || state.current));
  const onHome = state.current === HOME && state.homeTab && !fromLink;
  state.current = onHome ? HOME : keep ? keep.id : state.channels[0]?.id;
  state.highlight = fromLink?.ts || null;
  renderAll();
  if (state.current === HOME) api("/ui/home/open", {user: state.me});
}

function archiveTarget() {
  const m = location.pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  return m ? {channel: m[1], ts: `${m[2]}.${m[3]}`} : null;
}

// The server's first message is the viewer's whole state; changes follow as they happen.
function connect(userId) {
  if (state.socket) { state.socket.onclose = null; state.socket.close(); }
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${proto}://${location.host}/ui/live?user=${encodeURIComponent(userId || "")}`);
  state.socket = socket;
  setConn("connecting");
  socket.onmessage = (event) => onChange(JSON.parse(event.data));
  socket.onclose = () => {
    setConn("offline");
    setTimeout(() => { if (state.socket === socket) connect(state.me); }, 1000);
  };
}

function setConn(mode) {
  const node = $("conn-status");
  node.dataset.state = mode;
  node.textContent = {connecting: "connecting…", live: "live", offline: "reconnecting…"}[mode];
}

function onChange(event) {
  if (event.type === "state") { apply(event); setConn("live"); return; }
  if (event.type === "views") { state.views = event.views; renderModal(); return; }
  if (event.type === "home") { state.home = event.view; if (state.current === HOME) renderMessages(); return; }
  const channel = event.type === "message" ? event.message.channel : event.channel;
  const list = state.messages[channel] || (state.messages[channel] = []);
  const at = list.findIndex((m) => m.ts === (event.message?.ts ?? event.ts));
  if (event.type === "delete") {
    if (at >= 0) list.splice(at, 1);
  } else if (at >= 0) {
    list[at] = event.message;
  } else {
    list.push(event.message);
    list.sort((a, b) => Number(a.ts) - Number(b.ts));
    if (channel !== state.current) state.unread[channel] = (state.unread[channel] || 0) + 1;
  }
  if (channel === state.current) renderMessages(); else renderNav();
}

// ---- rendering -------------------------------------------------------------------------------
function renderAll() {
  $("team-name").textContent = state.team;
  renderSwitcher();
  renderNav();
  renderHeader();
  renderMessages(true);
  renderModal();
  renderComposer();
}

function renderSwitcher() {
  const select = $("user-switch");
  select.innerHTML = "";
  for (const id of state.humans) {
    const u = state.users[id];
    const opt = document.createElement("option");
    opt.value = id;
    opt.textContent = u.real_name;
    select.append(opt);
  }
  select.value = state.me;
  $("whoami-tz").textContent = `${me().profile?.title || ""}\n@${me().name} · ${timeZone()} · ${formatClock(Date.now() / 1000, timeZone())}`;
}

function channelLabel(c) {
  return c.is_im ? c.name : `# ${c.name}`;
}

function renderNav() {
  $("apps-section").hidden = !state.homeTab;
  $("home-link").classList.toggle("active", state.current === HOME);
  for (const [listId, ims] of [["channel-list", false], ["dm-list", true]]) {
    const list = $(listId);
    list.innerHTML = "";
    for (const c of state.channels.filter((x) => !!x.is_im === ims)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#";
      a.className = `nav-item${c.id === state.current ? " active" : ""}${state.unread[c.id] ? " unread" : ""}`;
      a.dataset.channel = c.id;
      a.innerHTML = `<span class="nav-name">${escapeHtml(channelLabel(c))}</span>` +
        (state.unread[c.id] ? `<span class="badge" aria-label="unread">${state.unread[c.id]}</span>` : "");
      a.addEventListener("click", (e) => { e.preventDefault(); selectChannel(c.id); });
      li.append(a);
      list.append(li);
    }
  }
}

function selectChannel(id) {
  state.current = id;
  state.unread[id] = 0;
  state.highlight = null;
  if (location.pathname !== "/") history.replaceState(null, "", "/");
  renderNav();
  renderHeader();
  renderMessages(true);
  renderComposer();
  $("composer-input").focus();
}

function selectHome() {
  state.current = HOME;
  state.highlight = null;
  if (location.pathname !== "/") history.replaceState(null, "", "/");
  renderNav();
  renderHeader();
  renderMessages(true);
  renderComposer();
  api("/ui/home/open", {user: state.me});  // the app is told (app_home_opened) and publishes the tab
}

function renderHeader() {
  if (state.current === HOME) {
    $("channel-title").textContent = "Expense Approvals";
    $("channel-topic").textContent = "Home";
    return;
  }
  const c = state.channels.find((x) => x.id === state.current);
  $("channel-title").textContent = c ? channelLabel(c) : "";
  $("channel-topic").textContent = c ? (c.is_im ? "Direct messages with the app" : c.topic?.value || "") : "";
}

function renderComposer() {
  $("composer").hidden = state.current === HOME;
  const c = state.channels.find((x) => x.id === state.current);
  $("composer-input").placeholder = c ? `Message ${c.is_im ? c.name : "#" + c.name}` : "Message";
}

function author(m) {
  return state.users[m.user] || {real_name: m.user, name: m.user, color: "888888"};
}

function messageNode(m) {
  const u = author(m);
  const node = document.createElement("article");
  node.className = `message${m.ephemeral ? " ephemeral" : ""}${m.thread_ts ? " reply" : ""}${m.ts === state.highlight ? " highlight" : ""}`;
  node.dataset.ts = m.ts;
  node.dataset.channel = m.channel;
  node.setAttribute("aria-label", `message from ${u.real_name}`);
  const initials = (u.real_name || u.name || "?").split(/\s+/).map((w) => w[0]).join("").slice(0, 2);
  const badge = u.is_bot && u.id !== "USLACKBOT" ? `<span class="app-badge">APP</span>` : "";
  node.innerHTML = `
    <div class="avatar" style="background:#${escapeHtml(u.color || "888")}">${escapeHtml(initials)}</div>
    <div class="body">
      <div class="meta"><span class="author">${escapeHtml(u.real_name || u.name)}</span>${badge}
        <time class="ts" title="${escapeHtml(new Date(Number(m.ts) * 1000).toISOString())}">${escapeHtml(formatClock(Number(m.ts), timeZone()))}</time>
        ${m.edited ? `<span class="edited">(edited)</span>` : ""}</div>
      <div class="content"></div>
      ${m.ephemeral ? `<div class="only-you">Only visible to you</div>` : ""}
      ${m.thread_ts ? `<div class="in-thread">Replied in thread</div>` : ""}
    </div>`;
  const content = node.querySelector(".content");
  try {
    renderContent(m, content);
  } catch (error) {
    // One message that cannot be drawn must not take the rest of the channel with it.
    console.error("cannot render message", m.ts, error);
    content.innerHTML = `<div class="bk-text">${plain(m.text)}</div>`;
  }
  return node;
}

function renderContent(m, content) {
  if (m.command) {
    content.innerHTML = `<span class="command-echo">${plain(m.command)}</span>`;
  } else if (m.blocks?.length) {
    content.append(renderBlocks(m.blocks, {...ctx(), onAction: (block, element) => click(m, block, element)}));
  } else {
    content.innerHTML = `<div class="bk-text">${mrkdwn(m.text, ctx())}</div>`;
  }
}

function renderHome(box) {
  box.innerHTML = "";
  const view = state.home;
  const tab = document.createElement("section");
  tab.className = "home-tab";
  tab.setAttribute("aria-label", "Home tab");
  if (!view) {
    tab.innerHTML = `<div class="empty">The app has not published a Home tab for you yet.</div>`;
  } else {
    try {
      tab.append(renderBlocks(view.blocks, {...ctx(), onAction: (block, element) => clickHome(block, element)}));
    } catch (error) {
      console.error("cannot render the Home tab", error);
      tab.innerHTML = `<div class="empty">The Home tab cannot be shown.</div>`;
    }
  }
  box.append(tab);
}

async function clickHome(block, element) {
  const result = await api("/ui/home/click", {user: state.me, action_id: element.action_id, block_id: block.block_id});
  if (!result.ok && result.error === "invalid_action") flash(result.detail);
}

function renderMessages(jump = false) {
  const box = $("messages");
  if (state.current === HOME) { renderHome(box); return; }
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  box.innerHTML = "";
  const list = state.messages[state.current] || [];
  if (!list.length) {
    box.innerHTML = `<div class="empty">No messages yet. Try <code>/expense 120 Team lunch</code>.</div>`;
  }
  for (const m of list) box.append(messageNode(m));
  const target = state.highlight && box.querySelector(`[data-ts="${CSS.escape(state.highlight)}"]`);
  if (target) target.scrollIntoView({block: "center"});
  else if (jump || nearBottom) box.scrollTop = box.scrollHeight;
}

async function click(message, block, element) {
  const result = await api("/ui/click", {user: state.me, channel: message.channel, ts: message.ts,
    action_id: element.action_id, block_id: block.block_id});
  if (!result.ok && result.error === "invalid_action") flash(result.detail);
}

function flash(text) {
  const note = $("composer-note");
  note.textContent = text;
  note.classList.add("error");
  setTimeout(() => { note.classList.remove("error"); }, 4000);
}

// ---- modals ------------------------------------------------------------------------------------
function renderModal() {
  const root = $("modal-root");
  const top = state.views[state.views.length - 1];
  root.innerHTML = "";
  if (!top) { root.hidden = true; state.drafts = {}; state.draftsFor = null; return; }
  const view = top.view;
  if (state.draftsFor !== top.id) { state.drafts = {}; state.draftsFor = top.id; }
  root.hidden = false;
  const dialog = document.createElement("form");
  dialog.className = "modal";
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-label", view.title?.text || "Modal");
  dialog.noValidate = true;
  dialog.innerHTML = `
    <header class="modal-head"><h2>${plain(view.title?.text)}</h2>
      <button type="button" class="modal-x" aria-label="Close">×</button></header>
    ${top.errors?.[""] ? `<div class="modal-banner" role="alert">${plain(top.errors[""])}</div>` : ""}
    <div class="modal-body"></div>
    <footer class="modal-foot">
      <button type="button" class="bk-button modal-cancel">${plain(view.close?.text || "Cancel")}</button>
      ${view.submit ? `<button type="submit" class="bk-button bk-primary modal-submit">${plain(view.submit.text)}</button>` : ""}
    </footer>`;
  dialog.querySelector(".modal-body").append(renderBlocks(view.blocks, {...ctx(), drafts: state.drafts, errors: top.errors}));
  const cancel = () => api(`/ui/views/${top.id}/close`, {user: state.me});
  dialog.querySelector(".modal-x").addEventListener("click", cancel);
  dialog.querySelector(".modal-cancel").addEventListener("click", cancel);
  dialog.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
  dialog.addEventListener("submit", async (e) => {
    e.preventDefault();
    const inputs = {};
    for (const b of view.blocks.filter((x) => x.type === "input")) {
      const control = dialog.querySelector(`[name="${CSS.escape(b.block_id)}"]`);
      if (control) inputs[b.block_id] = control.value;
    }
    const submit = dialog.querySelector(".modal-submit");
    submit.disabled = true;
    submit.classList.add("busy");
    await api(`/ui/views/${top.id}/submit`, {user: state.me, inputs});
    if (submit.isConnected) { submit.disabled = false; submit.classList.remove("busy"); }
  });
  root.append(dialog);
  const firstError = dialog.querySelector("[aria-invalid=true]");
  (firstError || dialog.querySelector("input, textarea, select"))?.focus();
}

// ---- composer ----------------------------------------------------------------------------------
function setupComposer() {
  const input = $("composer-input");
  const hints = $("command-hints");
  input.addEventListener("input", () => {
    const text = input.value;
    const matches = text.startsWith("/") && !text.includes(" ")
      ? state.commands.filter((c) => c.command.startsWith(text)) : [];
    hints.hidden = !matches.length;
    hints.innerHTML = matches.map((c) => `<div class="hint"><strong>${escapeHtml(c.command)}</strong> ` +
      `<span>${escapeHtml(c.usage_hint || "")}</span></div>`).join("");
  });
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    hints.hidden = true;
    $("send").disabled = true;
    try {
      const result = await api("/ui/message", {user: state.me, channel: state.current, text});
      if (!result.ok && result.error === "invalid_action") flash(result.detail);
    } finally {
      $("send").disabled = false;
      input.focus();
    }
  });
  $("home-link").addEventListener("click", (e) => { e.preventDefault(); selectHome(); });
  $("user-switch").addEventListener("change", (e) => {
    state.drafts = {};
    state.draftsFor = null;
    load(e.target.value);
  });
}

setupComposer();
load(initialUser());
setInterval(() => { if (state.me) renderSwitcher(); }, 30000);
