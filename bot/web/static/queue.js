// The live queue page (queue.html); needs console.js and live.js. Worker text goes in textContent only.
"use strict";

const MUTE_KEY = "zgfw.console.muted";
const TITLE = "排队会话 · 职工服务助手";
const queueView = { items: [], offset: 0, known: null, audio: null };
const filterSkill = document.getElementById("filter-skill");
const filterState = document.getElementById("filter-state");
const muteButton = document.getElementById("mute");
const notifyButton = document.getElementById("notify");

function waitedText(since) {
  const seconds = Math.max(0, Math.floor((Date.now() + queueView.offset - since) / 1000));
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h ? `${h}小时${m}分` : m ? `${m}分${String(s).padStart(2, "0")}秒` : `${s}秒`;
}

function tickWaits() {
  for (const wait of document.querySelectorAll(".q-wait")) {
    wait.textContent = `${wait.dataset.label} ${waitedText(Number(wait.dataset.since))}`;
  }
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

// From the priority, not the reason: a request for a person that a crisis message followed is a crisis too.
function isCrisis(item) { return item.crisis; }

async function takeFromRow(item, button) {
  button.disabled = true;
  try {
    await api(`/console/api/handoffs/${item.id}/take`, { method: "POST", body: "{}" });
    window.location.href = `/console/conversations/${item.id}`;
  } catch (error) {
    showError(error.message);
    button.disabled = false;
  }
}

function queueRow(item) {
  const row = document.createElement("li");
  row.className = `q-row q-row--${item.status}` + (isCrisis(item) ? " q-row--crisis" : "")
    + (item.distress ? " q-row--distress" : "");
  row.dataset.conversation = item.conversation_id;
  row.dataset.handoff = item.id;
  const head = document.createElement("div");
  head.className = "q-head";
  if (isCrisis(item)) head.append(span("q-badge", "危机"));
  if (item.distress) head.append(span("q-badge q-badge--distress", "情绪困扰"));
  const wait = span("q-wait", "");
  wait.dataset.since = item.status === "waiting" ? item.waiting_since : item.taken_since || item.waiting_since;
  wait.dataset.label = item.status === "waiting" ? "已等" : "已进行";
  head.append(wait);
  head.append(item.status === "waiting"
    ? span("q-place", `排第${item.position}位`)
    : span("q-owner", `${item.staff_name || "同事"} 处理中`));
  if (item.escalated) head.append(span("q-badge q-badge--late", "超时无人接入"));
  if (item.status === "waiting" && item.staff_id) head.append(span("q-kept", item.mine ? "转给您的" : "已转给同事"));
  else if (item.status === "waiting" && item.offered_to_name) {
    head.append(span("q-kept", item.offered_to_me ? "轮到您接" : `轮到${item.offered_to_name}接`));
  }
  const meta = [item.channel_name, item.skill_name, item.topic_name, item.reason_name].filter(Boolean).join(" · ");
  head.append(span("q-meta", meta));
  const actions = document.createElement("div");
  actions.className = "q-actions";
  if (item.status === "waiting") {
    const take = document.createElement("button");
    take.type = "button";
    take.className = "q-take";
    take.textContent = "接入";
    take.addEventListener("click", () => takeFromRow(item, take));
    actions.append(take);
  }
  const open = document.createElement("a");
  open.href = `/console/conversations/${item.id}`;
  open.textContent = item.status === "waiting" ? "查看" : "打开";
  actions.append(open);
  const last = document.createElement("p");
  last.className = "q-last";
  last.textContent = item.last_message ? `最后一句：${item.last_message}` : "最后一句：（暂无）";
  row.append(head, actions, last);
  if (item.callback_phone) {
    const callback = document.createElement("p");
    callback.className = "q-last";
    callback.textContent = `回电：${item.callback_phone} ${item.callback_note || ""}`;
    row.append(callback);
  }
  return row;
}

function renderQueue() {
  const shown = queueView.items.filter((item) =>
    (!filterSkill.value || item.skill === filterSkill.value) && (!filterState.value || item.status === filterState.value));
  const list = document.getElementById("queue");
  if (!shown.length) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = queueView.items.length ? "没有符合筛选条件的会话" : "现在没有等待的会话";
    list.replaceChildren(empty);
  } else {
    list.replaceChildren(...shown.map(queueRow));
  }
  const waiting = queueView.items.filter((item) => item.status === "waiting").length;
  document.title = waiting ? `(${waiting}) ${TITLE}` : TITLE;
  tickWaits();
}

function chime(urgent) {
  if (localStorage.getItem(MUTE_KEY) === "1" || !window.AudioContext) return;
  queueView.audio = queueView.audio || new AudioContext();
  const audio = queueView.audio, start = audio.currentTime;
  const tone = audio.createOscillator(), volume = audio.createGain();
  tone.frequency.value = urgent ? 988 : 660;
  volume.gain.setValueAtTime(0.0001, start);
  volume.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
  volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.4);
  tone.connect(volume).connect(audio.destination);
  tone.start(start);
  tone.stop(start + 0.45);
}

function announce(fresh) {
  const urgent = fresh.some(isCrisis);
  chime(urgent);
  if (window.Notification && Notification.permission === "granted") {
    // Never the worker's words: a desktop notification shows on a locked or shared screen.
    const kinds = [...new Set(fresh.map((item) => item.skill_name))].join("、");
    new Notification(urgent ? "危机会话在排队，请尽快接入" : "有新的会话在排队",
      { body: `${kinds} · 共${fresh.length}条`, tag: "zgfw-queue" });
  }
}

function onQueue(data) {
  queueView.items = data.items;
  queueView.offset = data.now - Date.now();
  const waiting = data.items.filter((item) => item.status === "waiting");
  if (queueView.known) {
    const fresh = waiting.filter((item) => !queueView.known.has(item.id));
    if (fresh.length) announce(fresh);
  }
  queueView.known = new Set([...(queueView.known || []), ...waiting.map((item) => item.id)]);
  renderQueue();
  document.getElementById("updated").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN")}`;
  showError("");
}

function pollQueue() {
  api("/console/api/queue").then((data) => { if (data) onQueue(data); }).catch((error) => showError(error.message));
}

function keepFiltersInUrl() {
  const params = new URLSearchParams(window.location.search);
  for (const [key, select] of [["skill", filterSkill], ["state", filterState]]) {
    if (select.value) params.set(key, select.value); else params.delete(key);
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  renderQueue();
}

function showMute() {
  const muted = localStorage.getItem(MUTE_KEY) === "1";
  muteButton.textContent = muted ? "提示音：关" : "提示音：开";
  muteButton.setAttribute("aria-pressed", String(muted));
}

function showNotifyButton() {
  notifyButton.hidden = !window.Notification || Notification.permission !== "default";
}

if (document.getElementById("queue")) {
  const params = new URLSearchParams(window.location.search);
  for (const [key, select] of [["skill", filterSkill], ["state", filterState]]) {
    if ([...select.options].some((option) => option.value === params.get(key))) select.value = params.get(key);
    select.addEventListener("change", keepFiltersInUrl);
  }
  muteButton.addEventListener("click", () => {
    localStorage.setItem(MUTE_KEY, localStorage.getItem(MUTE_KEY) === "1" ? "0" : "1");
    showMute();
  });
  notifyButton.addEventListener("click", () => Notification.requestPermission().then(showNotifyButton));
  // Browsers start sound only after a person has used the page: the first click readies it.
  document.addEventListener("pointerdown", () => {
    if (!window.AudioContext) return;
    queueView.audio = queueView.audio || new AudioContext();
    queueView.audio.resume();
  }, { once: true });
  showMute();
  showNotifyButton();
  followLive("/console/api/live/queue", { queue: onQueue }, pollQueue);
  setInterval(tickWaits, 1000);
}
