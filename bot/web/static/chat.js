// Chat page: one socket.io conversation with the Rasa server, kept across page reloads.
// Everything the worker or the bot wrote is inserted as text (textContent), never as HTML.
(function () {
  "use strict";

  var SESSION_KEY = "zgfw.session";
  var LOG_KEY = "zgfw.log";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  var send = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var typing = document.getElementById("typing");
  var socket = null;
  var sessionId = sessionStorage.getItem(SESSION_KEY);
  var outbox = [];          // messages typed while disconnected, sent on reconnect
  var typingTimer = null;
  var history = JSON.parse(sessionStorage.getItem(LOG_KEY) || "[]");

  function remember(entry) {
    history.push(entry);
    sessionStorage.setItem(LOG_KEY, JSON.stringify(history.slice(-200)));
  }

  function render(entry) {
    var item = document.createElement("li");
    item.className = "msg msg--" + entry.from;
    var bubble = document.createElement("div");
    bubble.className = "msg__bubble";
    bubble.textContent = entry.text;
    item.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      var row = document.createElement("div");
      row.className = "msg__buttons";
      entry.buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { say(b.title, b.payload); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) {
      typingTimer = setTimeout(function () {
        typing.hidden = true;
        statusLine.textContent = "助手暂时没有回应，您的消息已保留在上面。请稍后再试；急事请拨打 12351 职工服务热线。";
      }, 20000);
    }
  }

  function deliver(message) {
    socket.emit("user_uttered", { message: message.payload || message.text, session_id: sessionId });
    showTyping(true);
  }

  function say(text, payload) {
    var entry = { from: "user", text: text };
    render(entry);
    remember(entry);
    var message = { text: text, payload: payload };
    if (socket && socket.connected && sessionId) { deliver(message); }
    else {
      outbox.push(message);
      statusLine.textContent = "网络未连接，消息会在连上后自动发送。";
    }
  }

  function onBot(data) {
    var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    var entry = { from: "bot", text: data.text || "", buttons: buttons };
    if (!entry.text && !buttons.length) { return; }
    render(entry);
    remember(entry);
    showTyping(false);
    statusLine.textContent = "";
  }

  function connect(socketUrl) {
    socket = io(socketUrl, { path: "/socket.io", transports: ["websocket"], reconnection: true });
    socket.on("connect", function () {
      statusLine.textContent = "";
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      var fresh = !sessionId;
      sessionId = id;
      sessionStorage.setItem(SESSION_KEY, id);
      while (outbox.length) { deliver(outbox.shift()); }
      if (fresh && !history.length) { deliver({ text: "/greet" }); }
    });
    socket.on("bot_uttered", onBot);
    socket.on("disconnect", function () { statusLine.textContent = "连接已断开，正在重新连接…"; });
    socket.on("connect_error", function () { statusLine.textContent = "暂时连不上服务器，正在重试…"; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { statusLine.textContent = "请先输入您的问题。"; input.focus(); return; }
    statusLine.textContent = "";
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
  fetch("/chat/config").then(function (r) { return r.json(); }).then(function (cfg) {
    connect(location.protocol + "//" + location.hostname + ":" + cfg.socketPort);
  }).catch(function () { statusLine.textContent = "页面配置加载失败，请刷新重试。"; });
})();
