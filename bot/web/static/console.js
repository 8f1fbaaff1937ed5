// Staff console, shared by every page: API calls with the CSRF token, errors, table cells.
// Worker text only ever goes in textContent.
"use strict";
const csrf = document.body.dataset.csrf;

function showError(message) {
  const box = document.getElementById("error");
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || "";
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    ...options,
  });
  if (response.status === 401) { window.location.href = "/console/login"; return null; }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "操作失败，请重试");
  return data;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}
