// The dead letters page: new dead letters appear live; replay POSTs with the token typed in.
import { connect } from "./live.js";

const rows = document.querySelector("#letters tbody");
const template = document.getElementById("letter-template");
const total = document.getElementById("dead-total");
const token = document.getElementById("token");

function addLetter(letter) {
  if (rows.querySelector(`tr[data-entry="${CSS.escape(letter.entry_id)}"]`)) return;
  const row = template.content.firstElementChild.cloneNode(true);
  row.dataset.entry = letter.entry_id;
  for (const cell of row.querySelectorAll("[data-field]")) {
    const value = letter[cell.dataset.field];
    cell.textContent = value === null || value === undefined || value === "" ? "–" : String(value);
  }
  const button = row.querySelector("button.replay");
  if (button) button.dataset.entry = letter.entry_id;
  rows.prepend(row);
  total.textContent = String(Number(total.textContent) + 1);
}

async function replay(button) {
  const row = button.closest("tr");
  const outcome = row.querySelector(".outcome");
  button.disabled = true;
  outcome.textContent = "…";
  try {
    const response = await fetch(`/dead/${encodeURIComponent(button.dataset.entry)}/replay`, {
      method: "POST",
      headers: { "X-Newsflow-Token": token ? token.value : "" },
      credentials: "omit",
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      outcome.textContent = "replayed";
      row.classList.add("replayed");
      return;
    }
    outcome.textContent = `refused (${response.status}): ${body.error || Object.values(body.skipped || {}).join("; ")}`;
  } catch (error) {
    outcome.textContent = `failed: ${error}`;
  }
  button.disabled = false;
}

rows.addEventListener("click", (event) => {
  const button = event.target.closest("button.replay");
  if (button) replay(button);
});
document.getElementById("token-form")?.addEventListener("submit", (event) => event.preventDefault());

connect({ dead: addLetter }, { articles: false });
