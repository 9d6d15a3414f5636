// The live list: cards arrive over /events (the recent ones first), newest on top, never a reload.
// Filters and the search box narrow what is shown; every value from the stream is set as text.
import { articleHref, connect, labelClass, safeHref } from "./live.js";

const list = document.getElementById("articles");
const empty = document.getElementById("empty");
const template = document.getElementById("card-template");
const shown = document.getElementById("shown");
const form = document.getElementById("filters");
const inputs = {
  search: document.getElementById("f-search"),
  entity: document.getElementById("f-entity"),
  label: document.getElementById("f-label"),
  language: document.getElementById("f-language"),
  source: document.getElementById("f-source"),
  duplicates: document.getElementById("f-duplicates"),
};
const entityNames = document.getElementById("entity-names");
const known = { label: new Set(), language: new Set(), source: new Set(), entity: new Set() };
const cards = new Map(); // entry id -> { card, element }
let limit = 500;

function entryKey(entryId) {
  const [ms, seq] = String(entryId).split("-");
  return [Number(ms) || 0, Number(seq) || 0];
}

function newer(a, b) {
  const [x, y] = [entryKey(a), entryKey(b)];
  return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1];
}

function lower(value) {
  return String(value ?? "").toLowerCase();
}

function matches(card) {
  const f = {
    search: lower(inputs.search.value).trim(),
    entity: lower(inputs.entity.value).trim(),
    label: inputs.label.value,
    language: inputs.language.value,
    source: inputs.source.value,
  };
  if (!inputs.duplicates.checked && card.duplicate_of) return false;
  if (f.language && card.language !== f.language) return false;
  if (f.source && card.source !== f.source) return false;
  const entities = card.entities || [];
  if (f.label && !entities.some((e) => e.label === f.label && (!f.entity || lower(e.name) === f.entity))) {
    return false;
  }
  if (f.entity && !entities.some((e) => lower(e.name) === f.entity)) return false;
  if (f.search) {
    const haystack = [card.title, card.dateline, card.source, ...entities.map((e) => e.name)].map(lower);
    if (!haystack.some((text) => text.includes(f.search))) return false;
  }
  return true;
}

function addOption(kind, value) {
  if (!value || known[kind].has(value)) return;
  known[kind].add(value);
  const option = document.createElement("option");
  option.value = value;
  option.textContent = value;
  (kind === "entity" ? entityNames : inputs[kind]).append(option);
}

function field(element, name) {
  return element.querySelector(`[data-field="${name}"]`);
}

function render(card) {
  const element = template.content.firstElementChild.cloneNode(true);
  element.dataset.entry = card.entry_id;
  element.dataset.articleId = card.id;
  const title = field(element, "title");
  title.textContent = card.title || "(untitled)";
  title.href = articleHref(card.id);
  if (card.duplicate_of) {
    const badge = field(element, "duplicate");
    badge.hidden = false;
    badge.textContent = `${card.duplicate_kind || ""} duplicate`.trim();
    badge.title = `duplicate of ${card.duplicate_of}`;
    badge.href = articleHref(card.duplicate_of);
    element.classList.add("is-duplicate");
  }
  for (const name of ["source", "language", "published", "dateline", "summary"]) {
    const node = field(element, name);
    node.textContent = card[name] || "";
    node.hidden = !card[name];
  }
  const href = safeHref(card.url);
  if (href) {
    const link = field(element, "url");
    link.href = href;
    link.hidden = false;
  }
  const chips = field(element, "chips");
  for (const entity of (card.entities || []).slice(0, card.chips || 6)) {
    const chip = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `chip ${labelClass(entity.label)}`;
    button.textContent = entity.name;
    button.title = `${entity.label}: show only articles naming it`;
    button.dataset.entity = entity.name;
    chip.append(button);
    chips.append(chip);
  }
  return element;
}

function place(element, entryId) {
  // Entries mostly arrive in stream order, so the new one usually goes on top.
  for (const child of list.children) {
    if (newer(entryId, child.dataset.entry)) {
      list.insertBefore(element, child);
      return;
    }
  }
  list.append(element);
}

function updateCount() {
  const visible = list.querySelectorAll("li.card:not([hidden])").length;
  shown.textContent = `${visible} of ${cards.size} shown`;
  empty.hidden = cards.size > 0;
}

function addCard(card) {
  if (!card || cards.has(card.entry_id)) return;
  const element = render(card);
  element.hidden = !matches(card);
  cards.set(card.entry_id, { card, element });
  place(element, card.entry_id);
  addOption("language", card.language);
  addOption("source", card.source);
  for (const entity of card.entities || []) {
    addOption("label", entity.label);
    addOption("entity", entity.name);
  }
  while (cards.size > limit && list.lastElementChild) {
    cards.delete(list.lastElementChild.dataset.entry);
    list.lastElementChild.remove();
  }
  updateCount();
}

function applyFilters() {
  for (const { card, element } of cards.values()) element.hidden = !matches(card);
  const params = new URLSearchParams();
  for (const [name, input] of Object.entries(inputs)) {
    if (name === "duplicates") {
      if (!input.checked) params.set("duplicates", "0");
    } else if (input.value) {
      params.set(name, input.value);
    }
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  updateCount();
}

function readFilters() {
  const params = new URLSearchParams(location.search);
  for (const [name, input] of Object.entries(inputs)) {
    if (name === "duplicates") {
      input.checked = params.get("duplicates") !== "0";
    } else if (params.has(name)) {
      if (input.tagName === "SELECT") addOption(name, params.get(name));
      input.value = params.get(name);
    }
  }
}

form.addEventListener("input", applyFilters);
form.addEventListener("change", applyFilters);
form.addEventListener("submit", (event) => event.preventDefault());
form.addEventListener("reset", () => setTimeout(applyFilters));
list.addEventListener("click", (event) => {
  const chip = event.target.closest("button.chip");
  if (!chip) return;
  inputs.entity.value = chip.dataset.entity;
  applyFilters();
});

readFilters();
updateCount();
connect({
  article: addCard,
  ready: (info) => {
    limit = info.limit || limit;
    document.body.dataset.ready = "1";
  },
});
