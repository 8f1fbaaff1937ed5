// Chat page: one socket.io conversation with the Rasa server, kept across page reloads.
// Everything the worker, the bot or staff wrote is inserted as text nodes, never as HTML: the worker's own
// words as plain text, the others' through ChatFormat.richText (chat_format.js), which builds elements.
(function () {
  "use strict";

  var SESSION_KEY = "zgfw.session";
  var LOG_KEY = "zgfw.log";
  var STATUS_EVERY_MS = 5 * 60 * 1000;
  var CATCH_UP_SLACK_S = 300;  // ask again for a few minutes before the last message had: servers' clocks differ
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  var statusLine = document.getElementById("status");
  var typing = document.getElementById("typing");
  var offDuty = document.getElementById("off-duty");
  var socket = null;
  var sessionId = sessionStorage.getItem(SESSION_KEY);
  var connection = 0;       // counts connections: a message goes out at most once on each
  var ready = false;        // connected, and the server confirmed the conversation on this connection
  var outbox = [];          // the worker's messages the server has not acknowledged yet, oldest first
  var typingTimer = null;
  var shown = {};           // message id -> its list item, to mark it sent
  var sentOn = {};          // message id -> the connection it last went out on
  var history = JSON.parse(sessionStorage.getItem(LOG_KEY) || "[]");
  var had = {};             // "<tracker timestamp>:<part>" of every stamped bot message shown

  // ---- the transcript: entries kept in sessionStorage, each shown as a list item

  function save() {
    history = history.slice(-200);
    sessionStorage.setItem(LOG_KEY, JSON.stringify(history));
  }

  function remember(entry) {
    history.push(entry);
    save();
  }

  function clock(at) {
    var time = new Date(at);
    return String(time.getHours()).padStart(2, "0") + ":" + String(time.getMinutes()).padStart(2, "0");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(entry) {
    var item = element("li", "msg msg--" + entry.from + (entry.staff ? " msg--staff" : ""));
    if (entry.staff) { item.appendChild(element("div", "msg__who", "工作人员 " + entry.staff)); }
    var bubble = item.appendChild(element("div", "msg__bubble"));
    if (entry.from === "user") { bubble.textContent = entry.text; }
    else {
      bubble.classList.add("msg__bubble--rich");
      bubble.appendChild(ChatFormat.richText(entry.text));
    }
    if (entry.buttons && entry.buttons.length) { item.appendChild(buttonRow(entry.buttons)); }
    var meta = item.appendChild(element("div", "msg__meta"));
    if (entry.at) {  // entries saved before times were kept have none
      var time = meta.appendChild(element("time", "msg__time", clock(entry.at)));
      time.dateTime = new Date(entry.at).toISOString();
    }
    if (entry.id) { shown[entry.id] = item; }
    if (entry.pending) { markWaiting(entry); }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function buttonRow(buttons) {
    var row = element("div", "msg__buttons");
    buttons.forEach(function (b) {
      var button = row.appendChild(element("button", "", b.title));
      button.type = "button";
      button.addEventListener("click", function () { say(b.title, b.payload); });
    });
    return row;
  }

  // ---- the worker's messages: queued while offline ("待发送"), resent until the server acknowledges them

  function markWaiting(entry) {
    var item = shown[entry.id];
    if (!item || item.querySelector(".msg__pending")) { return; }
    item.classList.add("msg--pending");
    item.querySelector(".msg__meta").appendChild(element("span", "msg__pending", "待发送"));
  }

  function markSent(entry) {
    var item = shown[entry.id];
    if (!item) { return; }
    item.classList.remove("msg--pending");
    var marker = item.querySelector(".msg__pending");
    if (marker) { marker.remove(); }
  }

  function newId() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function say(text, payload) {
    var entry = { from: "user", text: text, at: Date.now(), id: newId(), pending: true };
    if (payload) { entry.payload = payload; }
    render(entry);
    remember(entry);
    outbox.push(entry);
    if (ready && socket.connected) { emit(entry); }
    else {
      setStatus("网络未连接，您的消息标为“待发送”，连上后会自动发出。", "offline");
    }
  }

  // The server runs a message id once, so sending it again on a new connection never doubles it.
  function emit(entry) {
    sentOn[entry.id] = connection;
    socket.emit("user_uttered",
      { message: entry.payload || entry.text, session_id: sessionId, metadata: { message_id: entry.id }, since: since() },
      function () { acknowledged(entry); });
    markSent(entry);
    showTyping(true);
  }

  function acknowledged(entry) {
    if (outbox.indexOf(entry) < 0) { return; }
    outbox.splice(outbox.indexOf(entry), 1);
    entry.pending = false;
    save();
    if (!outbox.length && statusLine.dataset.kind === "resending") { setStatus(""); }
  }

  function resend() {
    var due = outbox.filter(function (entry) { return sentOn[entry.id] !== connection; });
    if (due.length) { setStatus("已重新连上，正在发送 " + due.length + " 条待发送的消息…", "resending"); }
    due.forEach(emit);
  }

  // ---- what the server said while the page was away: it sends again what it stored after `since`

  function stampOf(data) {
    return typeof data.at === "number" ? data.at + ":" + (data.part || 0) : null;
  }

  // A page that has shown nothing from the bot yet (its first answer was lost with the connection)
  // asks for all of it; one holding only unstamped messages (kept from before stamps) asks for none.
  function since() {
    var stamps = history.filter(function (entry) { return typeof entry.said === "number"; })
      .map(function (entry) { return entry.said; });
    if (stamps.length) { return Math.max.apply(null, stamps) - CATCH_UP_SLACK_S; }
    return history.some(function (entry) { return entry.from === "bot"; }) ? null : 0;
  }

  // ---- the connection

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.dataset.kind = kind || "";
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) {
      typingTimer = setTimeout(function () {
        typing.hidden = true;
        setStatus("助手暂时没有回应，您的消息已保留在上面。请稍后再试；急事请拨打 12351 职工服务热线。");
      }, 20000);
    }
  }

  function onBot(data) {
    var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    var entry = { from: "bot", text: data.text || "", buttons: buttons, at: Date.now() };
    var key = stampOf(data);
    if (key && had[key]) { return; }  // sent again after a reconnect, and already on the page
    if (key) { had[key] = true; entry.said = data.at; entry.part = data.part || 0; }
    if (typeof data.staff === "string" && data.staff) { entry.staff = data.staff; }
    if (!entry.text && !buttons.length) { return; }
    render(entry);
    remember(entry);
    showTyping(false);
    if (statusLine.dataset.kind !== "resending") { setStatus(""); }
  }

  function connect(socketUrl) {
    socket = io(socketUrl, { path: "/socket.io", transports: ["websocket"], reconnection: true });
    socket.on("connect", function () {
      connection += 1;
      setStatus(outbox.length ? "已重新连上，正在恢复对话…" : "");
      socket.emit("session_request", { session_id: sessionId, since: since() });
    });
    socket.on("session_confirm", function (id) {
      var fresh = !sessionId;
      sessionId = id;
      sessionStorage.setItem(SESSION_KEY, id);
      ready = true;
      resend();
      if (fresh && !history.length) { socket.emit("user_uttered", { message: "/greet", session_id: sessionId }); }
    });
    socket.on("bot_uttered", onBot);
    socket.on("disconnect", function () {
      ready = false;
      showTyping(false);
      setStatus("网络已断开，正在重新连接…这时发的消息会标为“待发送”，连上后自动发出。", "offline");
    });
    socket.on("connect_error", function () {
      setStatus("暂时连不上服务器，正在重试…您的消息不会丢，连上后自动发出。", "offline");
    });
  }

  // ---- out of service hours: say so before the worker asks for a person

  function showDuty(duty) {
    offDuty.hidden = duty.onDuty;
    if (duty.onDuty) { return; }
    offDuty.replaceChildren(element("span", "", duty.notice.text), buttonRow(duty.notice.buttons));
  }

  function checkDuty() {
    fetch("/chat/status").then(function (r) { return r.json(); }).then(showDuty).catch(function () {});
  }

  // ---- the form: Enter sends, Shift+Enter starts a new line

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { setStatus("请先输入您的问题。"); input.focus(); return; }
    if (statusLine.dataset.kind !== "offline") { setStatus(""); }
    say(text);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  history.forEach(render);
  history.forEach(function (entry) {
    if (typeof entry.said === "number") { had[stampOf({ at: entry.said, part: entry.part })] = true; }
  });
  outbox = history.filter(function (entry) { return entry.pending; });
  checkDuty();
  setInterval(checkDuty, STATUS_EVERY_MS);
  fetch("/chat/config").then(function (r) { return r.json(); }).then(function (cfg) {
    connect(location.protocol + "//" + location.hostname + ":" + cfg.socketPort);
  }).catch(function () { setStatus("页面配置加载失败，请刷新重试。"); });
})();
