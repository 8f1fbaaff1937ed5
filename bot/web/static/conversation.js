// One conversation (conversation.html): transcript and controls; needs console.js.
"use strict";

const SPEAKERS = { worker: "职工", bot: "智能助手", staff: "工作人员" };
const speakerName = (line) => (line.staff ? `${SPEAKERS.staff} ${line.staff}` : SPEAKERS[line.speaker]);

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
      who.textContent = `${speakerName(line)} ${new Date(line.at * 1000).toLocaleTimeString("zh-CN")}`;
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
    const typed = box.value;
    act(section, "reply", { text }).then((sent) => {
      // Unsent, it stays. Sent, it goes, but not what was typed since: the worker's page often shows
      // the reply before this answer arrives, and staff may already be typing the next one.
      if (sent && box.value.startsWith(typed)) box.value = box.value.slice(typed.length).trimStart();
    });
  });
  refreshConversation(section);  // and again whenever the server's stream says so (conversation_live.js)
}
