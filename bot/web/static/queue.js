// The live queue page (queue.html); needs console.js.
"use strict";

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
      const kept = item.status === "waiting" && item.staff_id ? (item.mine ? "（转给您的）" : "（已转给同事）") : "";
      cell(row, item.status_name + kept);
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

const queueBody = document.getElementById("queue");
if (queueBody) {
  refreshQueue();
  setInterval(refreshQueue, POLL_MS);
}
