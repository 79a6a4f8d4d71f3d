// Block Kit -> DOM. Messages get buttons wired to `onAction`; modals get form controls.
import { escapeHtml, plain, textObject } from "./mrkdwn.js";

function el(tag, attrs = {}, html = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  if (html !== null) node.innerHTML = html;
  return node;
}

function button(element, block, ctx) {
  const b = el("button", {
    type: "button",
    class: `bk-button ${element.style ? "bk-" + element.style : ""}`,
    dataset: {actionId: element.action_id || "", blockId: block.block_id || ""},
    "aria-label": element.accessibility_label || null,
  }, plain(element.text?.text));
  if (element.url) {
    b.addEventListener("click", () => window.open(element.url, "_blank", "noopener"));
  }
  b.addEventListener("click", async () => {
    if (element.confirm && !window.confirm(`${element.confirm.title?.text || ""}\n\n${element.confirm.text?.text || ""}`)) return;
    if (!ctx.onAction) return;
    b.disabled = true;
    b.classList.add("busy");
    try { await ctx.onAction(block, element); } finally { b.disabled = false; b.classList.remove("busy"); }
  });
  return b;
}

function accessory(element, block, ctx) {
  if (!element) return null;
  if (element.type === "button") return button(element, block, ctx);
  if (element.type === "image") return el("img", {class: "bk-accessory-image", src: element.image_url, alt: element.alt_text});
  return null;
}

const renderers = {
  header(block, ctx) {
    return el("div", {class: "bk-header", role: "heading", "aria-level": "3"}, textObject(block.text, ctx));
  },
  divider() {
    return el("hr", {class: "bk-divider"});
  },
  section(block, ctx) {
    const node = el("div", {class: "bk-section"});
    const body = el("div", {class: "bk-section-body"});
    if (block.text) body.append(el("div", {class: "bk-text"}, textObject(block.text, ctx)));
    if (block.fields?.length) {
      const grid = el("div", {class: "bk-fields"});
      for (const field of block.fields) grid.append(el("div", {class: "bk-field"}, textObject(field, ctx)));
      body.append(grid);
    }
    node.append(body);
    const acc = accessory(block.accessory, block, ctx);
    if (acc) node.append(el("div", {class: "bk-accessory"})).lastChild.append(acc);
    return node;
  },
  context(block, ctx) {
    const node = el("div", {class: "bk-context"});
    for (const item of block.elements || []) {
      if (item.type === "image") node.append(el("img", {src: item.image_url, alt: item.alt_text, class: "bk-context-image"}));
      else node.append(el("span", {}, textObject(item, ctx)));
    }
    return node;
  },
  actions(block, ctx) {
    const node = el("div", {class: "bk-actions", role: "group"});
    for (const element of block.elements || []) {
      if (element.type === "button") node.append(button(element, block, ctx));
      else node.append(el("span", {class: "bk-unsupported"}, `[${escapeHtml(element.type)}]`));
    }
    return node;
  },
  image(block) {
    const node = el("figure", {class: "bk-image"});
    if (block.title) node.append(el("figcaption", {}, plain(block.title.text)));
    node.append(el("img", {src: block.image_url, alt: block.alt_text}));
    return node;
  },
  rich_text(block, ctx) {
    const text = (block.elements || []).flatMap((sec) => (sec.elements || []).map((e) => e.text || "")).join("");
    return el("div", {class: "bk-text"}, plain(text));
  },
  input(block, ctx) {
    return inputBlock(block, ctx);
  },
};

export function renderBlocks(blocks, ctx) {
  const frag = document.createDocumentFragment();
  for (const block of blocks || []) {
    const render = renderers[block.type];
    const node = render ? render(block, ctx)
      : el("div", {class: "bk-unsupported"}, `[${escapeHtml(block.type)} block]`);
    if (block.block_id) node.dataset.blockId = block.block_id;
    frag.append(node);
  }
  return frag;
}

// ---- modal inputs --------------------------------------------------------------------------
function inputBlock(block, ctx) {
  const element = block.element || {};
  const id = `in-${block.block_id}`;
  const wrap = el("div", {class: "bk-input", dataset: {blockId: block.block_id}});
  const label = el("label", {for: id, class: "bk-label"}, plain(block.label?.text));
  if (block.optional) label.append(el("span", {class: "bk-optional"}, " (optional)"));
  wrap.append(label);
  const draft = ctx.drafts?.[block.block_id];
  let control;
  if (element.type === "static_select") {
    control = el("select", {id, name: block.block_id});
    control.append(el("option", {value: ""}, plain(element.placeholder?.text || "Select an option")));
    const groups = element.option_groups || [{options: element.options || []}];
    for (const group of groups) {
      const parent = group.label ? el("optgroup", {label: group.label.text}) : control;
      for (const opt of group.options || []) parent.append(el("option", {value: opt.value}, plain(opt.text?.text)));
      if (parent !== control) control.append(parent);
    }
    control.value = draft ?? element.initial_option?.value ?? "";
  } else if (element.type === "plain_text_input" && element.multiline) {
    control = el("textarea", {id, name: block.block_id, rows: "4", placeholder: element.placeholder?.text});
    control.value = draft ?? element.initial_value ?? "";
  } else {
    const numeric = element.type === "number_input";
    control = el("input", {
      id, name: block.block_id, type: "text", inputmode: numeric ? (element.is_decimal_allowed ? "decimal" : "numeric") : null,
      placeholder: element.placeholder?.text,
    });
    control.value = draft ?? element.initial_value ?? "";
  }
  control.addEventListener("input", () => { if (ctx.drafts) ctx.drafts[block.block_id] = control.value; });
  wrap.append(control);
  const error = ctx.errors?.[block.block_id];
  if (error) {
    control.setAttribute("aria-invalid", "true");
    wrap.classList.add("has-error");
    wrap.append(el("div", {class: "bk-error", role: "alert"}, plain(error)));
  }
  if (block.hint) wrap.append(el("div", {class: "bk-hint"}, plain(block.hint.text)));
  return wrap;
}
