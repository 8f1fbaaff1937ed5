// Staff console: polls the queue and the open conversation; worker text only ever goes in textContent.
"use strict";
const csrf = document.body.dataset.csrf;
const POLL_MS = 1500;

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

async function refreshQueue() {
  const body = document.getElementById("queue");
  try {
    const data = await api("/console/api/queue");
    if (!data) return;
    body.replaceChildren();
    if (!data.items.length) {
      const row = body.insertRow();
      cell(row, "现在没有等待的会话").colSpan = 7;
    }
    for (const item of data.items) {
      const row = body.insertRow();
      row.dataset.conversation = item.conversation_id;
      if (item.priority > 0) row.className = "urgent";
      cell(row, item.created_at);
      cell(row, item.skill_name);
      cell(row, item.reason_name);
      cell(row, item.status_name);
      cell(row, item.conversation_id);
      cell(row, item.callback_phone ? `${item.callback_phone} ${item.callback_note || ""}` : "");
      const link = document.createElement("a");
      link.href = `/console/conversations/${item.id}`;
      link.textContent = item.status === "waiting" ? "查看 / 接入" : "打开";
      cell(row, "").appendChild(link);
    }
    document.getElementById("updated").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN")}`;
    showError("");
  } catch (error) {
    showError(error.message);
  }
}

const SPEAKERS = { worker: "职工", bot: "智能助手", staff: "工作人员" };

async function refreshConversation(section) {
  try {
    const data = await api(`/console/api/handoffs/${section.dataset.handoff}`);
    if (!data) return;
    const h = data.handoff;
    document.getElementById("conv-id").textContent = h.conversation_id;
    document.getElementById("conv-state").textContent =
      `${h.skill_name} · ${h.reason_name} · ${h.status_name}` + (data.paused ? " · 机器人已暂停" : "");
    document.getElementById("take").disabled = h.status !== "waiting";
    document.getElementById("close").disabled = h.status === "closed";
    document.getElementById("transfer").disabled = h.status === "closed";
    document.querySelector("#reply-form button").disabled = h.status !== "active";
    const list = document.getElementById("transcript");
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.replaceChildren(...data.lines.map((line) => {
      const li = document.createElement("li");
      li.className = `line line--${line.speaker}`;
      const who = document.createElement("span");
      who.className = "line__who";
      who.textContent = `${SPEAKERS[line.speaker]} ${new Date(line.at * 1000).toLocaleTimeString("zh-CN")}`;
      li.append(who, document.createTextNode(line.text));
      return li;
    }));
    if (atBottom) list.scrollTop = list.scrollHeight;
    const missed = document.getElementById("undelivered");
    missed.hidden = !data.undelivered.length;
    missed.replaceChildren(...data.undelivered.map((m) => {
      const li = document.createElement("li");
      li.textContent = `${m.at} 未送达（${m.reason}）：${m.text}`;
      return li;
    }));
    showError(data.error || "");
  } catch (error) {
    showError(error.message);
  }
}

function act(section, verb, body = {}) {
  return api(`/console/api/handoffs/${section.dataset.handoff}/${verb}`, { method: "POST", body: JSON.stringify(body) })
    .then(() => { refreshConversation(section); return true; })
    .catch((error) => { showError(error.message); return false; });
}

const queueBody = document.getElementById("queue");
if (queueBody) {
  refreshQueue();
  setInterval(refreshQueue, POLL_MS);
}

const section = document.getElementById("conversation");
if (section) {
  document.getElementById("take").addEventListener("click", () => act(section, "take"));
  document.getElementById("close").addEventListener("click", () => act(section, "close"));
  document.getElementById("transfer").addEventListener("click", () =>
    act(section, "transfer", { skill: document.getElementById("skill").value }));
  document.getElementById("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = document.getElementById("reply");
    const text = box.value.trim();
    if (!text) { showError("回复不能为空"); return; }
    act(section, "reply", { text }).then((sent) => { if (sent) box.value = ""; });  // keep it if not sent
  });
  refreshConversation(section);
  setInterval(() => refreshConversation(section), POLL_MS);
}
