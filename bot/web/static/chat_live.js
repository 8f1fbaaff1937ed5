// Chat page, live (loaded after chat.js): the place in line once a person is asked for, who joined,
// and typing both ways, over the web server's event stream (bot/web/chat_live.py). Text only via textContent.
(function () {
  "use strict";

  var SESSION_KEY = "zgfw.session";   // where chat.js keeps the conversation's signed token
  var TYPING_SHOWN_MS = 5000;
  var TYPING_EVERY_MS = 2000;
  var statusLine = document.getElementById("handoff-status");
  var staffTyping = document.getElementById("staff-typing");
  var input = document.getElementById("input");
  var place = { status: "none" };
  var token = null;
  var source = null;
  var hideTimer = null;
  var lastSignal = 0;

  function describe(p) {
    if (p.status === "waiting") {
      return p.reason === "callback" ? "已登记回电，工作人员上班后会联系您" : "已转人工，排队第" + p.position + "位";
    }
    if (p.status === "active") { return "工作人员" + (p.staff_name || "") + "已加入对话"; }
    return "";
  }

  function hideStaffTyping() {
    clearTimeout(hideTimer);
    staffTyping.hidden = true;
  }

  function showPlace(p) {
    place = p;
    var text = describe(p);
    statusLine.textContent = text;
    statusLine.hidden = !text;
    if (p.status !== "active") { hideStaffTyping(); }
  }

  function showStaffTyping() {
    staffTyping.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideStaffTyping, TYPING_SHOWN_MS);
  }

  function follow() {
    var current = sessionStorage.getItem(SESSION_KEY);
    if (!current || current === token || !window.EventSource) { return; }
    if (source) { source.close(); }
    token = current;
    source = new EventSource("/chat/live?session=" + encodeURIComponent(token));
    source.addEventListener("place", function (event) { showPlace(JSON.parse(event.data)); });
    source.addEventListener("typing", showStaffTyping);
  }

  function signalTyping() {
    var now = Date.now();
    if (place.status === "none" || !token || now - lastSignal < TYPING_EVERY_MS) { return; }
    lastSignal = now;
    fetch("/chat/typing", { method: "POST", headers: { "Content-Type": "application/json" },
                            body: JSON.stringify({ session: token }) }).catch(function () {});
  }

  // A staff member's message ends their typing note, whichever script put the message on the page.
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.classList && node.classList.contains("msg--bot")) { hideStaffTyping(); }
      });
    });
  }).observe(document.getElementById("log"), { childList: true });
  input.addEventListener("input", signalTyping);
  follow();
  setInterval(follow, 1000);  // chat.js stores the token once socket.io confirms the session
})();
