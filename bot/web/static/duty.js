// The on-duty switch in the console header (every signed-in page): only staff on duty are offered
// waiting conversations in turn. Shows one's load against one's capacity.
"use strict";
(function () {
  const button = document.getElementById("duty");
  const note = document.getElementById("duty-error");
  if (!button) return;
  let onDuty = false;

  function show(state) {
    onDuty = state.on_duty;
    button.hidden = false;
    button.setAttribute("aria-pressed", String(onDuty));
    button.textContent = `${onDuty ? "在岗" : "离岗"} · 接待 ${state.holding}/${state.capacity}`;
    button.title = onDuty ? "点击离岗：不再给您分配新的会话" : "点击上岗：开始按顺序给您分配排队会话";
    note.hidden = true;
  }

  async function duty(options) {
    const response = await fetch("/console/api/duty", {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf },
      ...options,
    });
    if (response.status === 401) { window.location.href = "/console/login"; return; }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || "在岗状态没有切换成功，请重试");
    show(data);
  }

  function fail(error) {
    note.textContent = error.message;
    note.hidden = false;
  }

  button.addEventListener("click", () => {
    button.disabled = true;
    duty({ method: "POST", body: JSON.stringify({ on_duty: !onDuty }) })
      .catch(fail)
      .finally(() => { button.disabled = false; });
  });
  duty({}).catch(fail);
})();
