// One conversation, live (conversation.html): read again when the server's stream says so; typing both ways.
// Needs console.js, live.js and conversation.js (refreshConversation).
"use strict";
const TYPING_SHOWN_MS = 5000;
const TYPING_EVERY_MS = 2000;

function followConversation(page) {
  const note = document.getElementById("worker-typing");
  let hide = null;
  followLive(`/console/api/live/handoffs/${page.dataset.handoff}`, {
    changed: () => { note.hidden = true; refreshConversation(page); },
    typing: () => {
      note.hidden = false;
      clearTimeout(hide);
      hide = setTimeout(() => { note.hidden = true; }, TYPING_SHOWN_MS);
    },
  }, () => refreshConversation(page));
}

function signalStaffTyping(page) {
  let last = 0;
  document.getElementById("reply").addEventListener("input", () => {
    if (Date.now() - last < TYPING_EVERY_MS || document.querySelector("#reply-form button").disabled) return;
    last = Date.now();
    api(`/console/api/handoffs/${page.dataset.handoff}/typing`, { method: "POST", body: "{}" }).catch(() => {});
  });
}

const livePage = document.getElementById("conversation");
if (livePage) {
  followConversation(livePage);
  signalStaffTyping(livePage);
}
