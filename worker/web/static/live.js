// One EventSource per page: articles, dead letters and the pipeline strip's status, from /events.
// Every value that arrives is untrusted article data: it only ever becomes textContent.

const strip = {
  queues: document.getElementById("strip-queues"),
  workers: document.getElementById("strip-workers"),
  published: document.getElementById("strip-published"),
  dead: document.getElementById("strip-dead"),
  rate: document.getElementById("strip-rate"),
  conn: document.getElementById("strip-conn"),
};

function showStatus(status) {
  const queues = status.queues || {};
  strip.queues.textContent = Object.entries(queues).map(([stage, depth]) => `${stage} ${depth}`).join(" · ");
  strip.workers.textContent = String(status.workers_alive ?? "–");
  strip.published.textContent = String(status.published ?? "–");
  strip.dead.textContent = String(status.dead_letters ?? "–");
  strip.rate.textContent = typeof status.per_second === "number" ? status.per_second.toFixed(2) : "–";
}

function showConnection(state) {
  strip.conn.dataset.state = state;
  strip.conn.textContent = state;
}

/** Open the event stream; `handlers` maps event names (article, dead, ready) to functions of the data. */
export function connect(handlers, { articles = true } = {}) {
  let source = null;
  let lastId = "";
  const open = () => {
    // After a pause (the page kept in the back/forward cache), ask only for what came since.
    const params = new URLSearchParams();
    if (!articles) params.set("articles", "0");
    if (lastId) params.set("after", lastId);
    const query = params.toString();
    source = new EventSource(query ? `/events?${query}` : "/events");
    source.addEventListener("open", () => showConnection("live"));
    source.addEventListener("error", () => showConnection("reconnecting"));
    source.addEventListener("status", (event) => showStatus(JSON.parse(event.data)));
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        handler(JSON.parse(event.data), event.lastEventId);
      });
    }
  };
  // A stream left open by a page the browser keeps for "back" holds one of the few connections
  // a browser opens to one host: close it when the page is hidden, reopen when it is shown again.
  window.addEventListener("pagehide", () => source?.close());
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) open();
  });
  open();
}

/** The URL if it is absolute http(s), else null: never a javascript:, data: or relative link. */
export function safeHref(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A label as it may appear in a class name. */
export function labelClass(label) {
  return `ent-${String(label).replace(/[^A-Za-z0-9_]/g, "").slice(0, 32) || "OTHER"}`;
}

/** The link to an article's own view. */
export function articleHref(articleId) {
  return `/article/${encodeURIComponent(articleId)}`;
}
