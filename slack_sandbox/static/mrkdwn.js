// Slack's mrkdwn and <!date^...> formatting, rendered to safe HTML for one viewer.

const escapeHtml = (s) => String(s)
  .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
  .replace(/"/g, "&quot;").replace(/'/g, "&#39;");

// Slack escapes &, < and > in message text; undo that before we escape for HTML.
const unescapeSlack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const ordinal = (n) => {
  const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({1: "st", 2: "nd", 3: "rd"}[n % 10] || "th");
  return `${n}${tail}`;
};

function parts(date, timeZone) {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone, year: "numeric", month: "long", day: "numeric", weekday: "long",
    hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true,
  });
  const out = {};
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return out;
}

function dayKey(date, timeZone) {
  return new Intl.DateTimeFormat("en-CA", {timeZone, year: "numeric", month: "2-digit", day: "2-digit"}).format(date);
}

function relativeDay(date, timeZone) {
  const now = new Date();
  const key = dayKey(date, timeZone);
  if (key === dayKey(now, timeZone)) return "today";
  if (key === dayKey(new Date(now.getTime() - 86400000), timeZone)) return "yesterday";
  if (key === dayKey(new Date(now.getTime() + 86400000), timeZone)) return "tomorrow";
  return null;
}

function ago(date) {
  const secs = Math.round((Date.now() - date.getTime()) / 1000);
  const abs = Math.abs(secs);
  const [n, unit] = abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"]
    : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  const phrase = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return secs >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

// Formats one {token} of Slack's date formatting for a viewer in `timeZone`.
export function formatDateToken(token, epochSeconds, timeZone) {
  const date = new Date(epochSeconds * 1000);
  const p = parts(date, timeZone);
  const shortMonth = p.month.slice(0, 3);
  const num = dayKey(date, timeZone);
  const base = {
    date_num: num,
    date: `${p.month} ${ordinal(+p.day)}, ${p.year}`,
    date_short: `${shortMonth} ${+p.day}, ${p.year}`,
    date_long: `${p.weekday}, ${p.month} ${ordinal(+p.day)}, ${p.year}`,
    time: `${p.hour}:${p.minute} ${p.dayPeriod}`,
    time_secs: `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`,
    ago: ago(date),
  };
  const pretty = relativeDay(date, timeZone);
  base.date_pretty = pretty ? cap(pretty) : base.date;
  base.date_short_pretty = pretty ? cap(pretty) : base.date_short;
  base.date_long_pretty = pretty ? cap(pretty) : base.date_long;
  return base[token];
}

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

export function formatSlackDate(epochSeconds, format, timeZone) {
  return format.replace(/\{(\w+)\}/g, (whole, token) => formatDateToken(token, epochSeconds, timeZone) ?? whole);
}

export function formatClock(epochSeconds, timeZone) {
  return formatDateToken("time", epochSeconds, timeZone);
}

// Renders one <...> entity: mentions, channels, special mentions, dates, links.
function renderEntity(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const user = ctx.users[target.slice(1)];
    const name = user ? (user.real_name || user.name) : (label || target.slice(1));
    return `<span class="mention" data-user="${escapeHtml(target.slice(1))}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("#")) {
    const channel = ctx.channels?.[target.slice(1)];
    const name = label || (channel ? channel.name : target.slice(1));
    return `<span class="mention channel">#${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("!date^")) {
    const [, ts, format, link] = target.split("^");
    const epoch = Number(ts);
    const date = new Date(epoch * 1000);
    if (!/^-?\d+$/.test(ts ?? "") || Number.isNaN(date.getTime())) return asTyped(inner);
    const text = formatSlackDate(epoch, format || "{date}", ctx.timeZone);
    const iso = date.toISOString();
    const inner = `<time class="slack-date" datetime="${iso}" title="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
    return link ? `<a href="${safeUrl(link)}" target="_blank" rel="noopener">${inner}</a>` : inner;
  }
  if (target.startsWith("!")) {
    const word = target.slice(1).split("^")[0];
    return `<span class="mention special">@${escapeHtml(label || word)}</span>`;
  }
  const url = safeUrl(target);
  return `<a href="${url}" target="_blank" rel="noopener">${escapeHtml(label || target)}</a>`;
}

// A token we cannot render shows its fallback label, or else the text as written: never an
// exception, which would stop every later message from rendering.
function asTyped(inner) {
  const [, label] = splitOnce(inner, "|");
  return escapeHtml(unescapeSlack(label || `<${inner}>`));
}

function renderEntitySafely(inner, ctx) {
  try {
    return renderEntity(inner, ctx);
  } catch {
    return asTyped(inner);
  }
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

function safeUrl(url) {
  const u = unescapeSlack(url);
  return /^(https?:|mailto:|\/)/i.test(u) ? escapeHtml(u) : "#";
}

// mrkdwn -> HTML. ctx: {users, channels, timeZone}.
export function mrkdwn(text, ctx) {
  const held = [];
  const hold = (html) => `\u0000${held.push(html) - 1}\u0000`;
  let s = String(text ?? "");
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => hold(`<pre>${escapeHtml(unescapeSlack(code.replace(/^\n/, "")))}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(renderEntitySafely(inner, ctx)));
  s = emoji(escapeHtml(unescapeSlack(s)));
  const edge = "(^|[\\s(\\u0000>])";
  const end = "(?=$|[\\s).,!?:;'\"\\u0000])";
  s = s.replace(new RegExp(`${edge}\\*(\\S(?:[^*\\n]*?\\S)?)\\*${end}`, "g"), "$1<strong>$2</strong>");
  s = s.replace(new RegExp(`${edge}_(\\S(?:[^_\\n]*?\\S)?)_${end}`, "g"), "$1<em>$2</em>");
  s = s.replace(new RegExp(`${edge}~(\\S(?:[^~\\n]*?\\S)?)~${end}`, "g"), "$1<del>$2</del>");
  s = s.split("\n").map((line) => /^&gt;/.test(line)
    ? `<blockquote>${line.replace(/^&gt;\s?/, "")}</blockquote>` : line).join("\n");
  s = s.replace(/\n/g, "<br>").replace(/<\/blockquote><br>/g, "</blockquote>");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => held[+i]);
}

export function plain(text) {
  return emoji(escapeHtml(text ?? ""));
}

const EMOJI = {
  white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", hourglass: "⌛", hourglass_flowing_sand: "⏳",
  rotating_light: "🚨", warning: "⚠️", no_entry: "⛔", no_entry_sign: "🚫", moneybag: "💰",
  money_with_wings: "💸", receipt: "🧾", bell: "🔔", tada: "🎉", wave: "👋", memo: "📝", clock3: "🕒",
  alarm_clock: "⏰", information_source: "ℹ️", link: "🔗", lock: "🔒", eyes: "👀", thumbsup: "👍",
  "+1": "👍", thumbsdown: "👎", "-1": "👎", calendar: "📅", spiral_calendar_pad: "🗓️", hand: "✋",
  question: "❓", exclamation: "❗", arrow_right: "➡️", inbox_tray: "📥", outbox_tray: "📤",
};

// :shortcode: -> emoji for the names we know; others stay as typed.
export function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

export function textObject(obj, ctx) {
  if (!obj) return "";
  if (typeof obj === "string") return plain(obj);
  return obj.type === "mrkdwn" ? mrkdwn(obj.text, ctx) : plain(obj.text);
}

export { escapeHtml };
