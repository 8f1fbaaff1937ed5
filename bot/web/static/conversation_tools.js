// One conversation's side panels and reply tools (conversation.html): the bot's guess, what the worker did,
// their form answers, internal notes, transfer to a colleague, canned responses ("/"), knowledge entries and
// the keyboard. Needs console.js and conversation.js (act). Worker and knowledge text only go in textContent.
"use strict";

const tools = { canned: [], menu: [], chosen: 0, slashAt: -1, lines: -1, searching: null };

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function contextError(message) {
  const box = document.getElementById("context-error");
  box.hidden = !message;
  box.textContent = message || "";
}

function handoffPath(suffix) {
  return `/console/api/handoffs/${document.getElementById("conversation").dataset.handoff}${suffix}`;
}

async function refreshContext() {
  let data;
  try {
    data = await api(handoffPath("/context"));
  } catch (error) {
    contextError(error.message);
    return;
  }
  if (!data) return;
  contextError(data.error || "");
  showGuess(data.guess);
  showDone(data.done);
  showAnswers(data.answers);
  showNotes(data.notes);
  showColleagues(data.colleagues);
  tools.canned = data.canned;
}

function entryPanel(entry, summaryText) {
  const details = el("details", null, "entry");
  details.append(el("summary", summaryText), el("p", entry.answer, "pre"));
  if (entry.citations.length) {
    const cites = el("ul", null, "plain citations");
    for (const c of entry.citations) {
      const li = el("li");
      li.append(el("strong", c.source), el("span", ` ${c.quote}`));
      cites.append(li);
    }
    details.append(cites);
  }
  const insert = el("button", "插入到回复框");
  insert.type = "button";
  insert.addEventListener("click", () => insertReply(entry.text));
  details.append(insert);
  return details;
}

function showGuess(guess) {
  document.getElementById("guess-topic").textContent = guess.topic
    ? `${guess.topic}${guess.confidence != null ? `（把握 ${guess.confidence}%）` : ""}` : "没有判断出话题";
  const box = document.getElementById("guess-entry");
  // Every new line refreshes the panels: the same entry stays as the staff member left it (open while they read).
  const shown = guess.entry ? guess.entry.id : "";
  if (box.dataset.shown === shown) return;
  box.dataset.shown = shown;
  box.replaceChildren(guess.entry
    ? entryPanel(guess.entry, `已用知识条目回答：${guess.entry.title}（${guess.entry.topic}）`)
    : el("p", "还没有用知识条目回答过", "muted"));
}

function showDone(rows) {
  const list = document.getElementById("done");
  list.replaceChildren(...(rows.length ? rows.map((row) => {
    const li = el("li", `${row.kind} `);
    if (row.number) {
      const link = el("a", row.number);
      link.href = row.link;
      li.append(link, " ");
    }
    li.append(el("span", `${row.what} · ${row.status}`), el("span", row.at ? ` ${row.at}` : "", "muted"));
    if (!row.number && row.link) {
      const more = el("a", " 查看");
      more.href = row.link;
      li.append(more);
    }
    return li;
  }) : [el("li", "本次对话还没有办理什么（或您的岗位不能查看）", "muted")]));
}

function showAnswers(answers) {
  const list = document.getElementById("answers");
  list.replaceChildren(...answers.flatMap((a) => [el("dt", a.label), el("dd", a.value, "pre")]));
  document.getElementById("no-answers").hidden = answers.length > 0;
}

function showNotes(notes) {
  const form = document.getElementById("note-form");
  form.querySelector("button").disabled = notes === null;
  document.getElementById("notes").replaceChildren(...(notes === null
    ? [el("li", "这条会话没有工单，不能记备注", "muted")]
    : notes.map((n) => el("li", `${n.at} ${n.staff || ""}：${n.text}`, "pre"))));
}

function showColleagues(colleagues) {
  const select = document.getElementById("colleague");
  const keep = select.value;
  select.replaceChildren(el("option", colleagues.length ? "（选择同事）" : "（没有可转的同事）"),
    ...colleagues.map((c) => {
      const option = el("option", c.name);
      option.value = String(c.id);
      return option;
    }));
  select.options[0].value = "";
  select.value = colleagues.some((c) => String(c.id) === keep) ? keep : "";
}

// The reply box: insert text where the caret is, and the "/" menu of canned responses.
function replyBox() {
  return document.getElementById("reply");
}

function insertReply(text, from = null) {
  const box = replyBox();
  const start = from == null ? box.selectionStart : from;
  box.setRangeText(text, start, box.selectionEnd, "end");
  box.focus();
}

function cannedQuery() {
  const box = replyBox();
  const before = box.value.slice(0, box.selectionStart);
  const match = before.match(/(?:^|\s)\/([^\s/]*)$/);
  return match ? { query: match[1], at: box.selectionStart - match[1].length - 1 } : null;
}

function closeMenu() {
  document.getElementById("canned-menu").hidden = true;
  tools.slashAt = -1;
}

function renderMenu() {
  const list = document.getElementById("canned-menu");
  list.replaceChildren(...(tools.menu.length ? tools.menu.map((item, index) => {
    const li = el("li", null, index === tools.chosen ? "popup__item popup__item--chosen" : "popup__item");
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(index === tools.chosen));
    li.append(el("strong", item.title), el("span", ` ${item.text}`, "muted"));
    li.addEventListener("mousedown", (event) => { event.preventDefault(); chooseCanned(index); });
    return li;
  }) : [el("li", "没有匹配的常用回复（Esc 关闭）", "muted popup__item")]));
  list.hidden = false;
  const chosen = list.children[tools.chosen];
  if (chosen) chosen.scrollIntoView({ block: "nearest" });
}

function updateMenu() {
  const found = cannedQuery();
  if (!found) { closeMenu(); return; }
  const query = found.query.toLowerCase();
  tools.menu = tools.canned.filter((c) =>
    [c.id, c.title, c.text, ...c.tags].some((part) => part.toLowerCase().includes(query)));
  tools.chosen = 0;
  tools.slashAt = found.at;
  renderMenu();
}

function chooseCanned(index) {
  const item = tools.menu[index];
  const from = tools.slashAt;
  closeMenu();
  if (item) insertReply(item.text, from);
}

function onReplyKey(event) {
  const open = !document.getElementById("canned-menu").hidden;
  if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    tools.chosen = (tools.chosen + step + tools.menu.length) % Math.max(tools.menu.length, 1);
    renderMenu();
  } else if (open && event.key === "Escape") {
    event.preventDefault();
    closeMenu();
  } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();  // Shift+Enter keeps the browser's new line; Enter while typing pinyin picks a word
    if (open) { chooseCanned(tools.chosen); return; }
    const send = document.querySelector("#reply-form button");
    if (send.disabled) { showError("请先点“接入”，再给职工回复"); return; }
    document.getElementById("reply-form").requestSubmit();
  }
}

// 发送知识条目: search titles and questions, put the chosen entry's answer in the reply box to edit.
async function searchKnowledge() {
  const query = document.getElementById("knowledge-query").value.trim();
  const list = document.getElementById("knowledge-results");
  if (!query) { list.replaceChildren(); return; }
  try {
    const data = await api(`/console/api/knowledge?q=${encodeURIComponent(query)}`);
    if (!data) return;
    list.replaceChildren(...(data.entries.length ? data.entries.map((entry) => {
      const li = el("li");
      const pick = el("button", `${entry.title}（${entry.topic}）`, "result");
      pick.type = "button";
      pick.addEventListener("click", () => {
        document.getElementById("knowledge-dialog").close();
        insertReply(entry.text);
      });
      li.append(pick, el("p", entry.answer.slice(0, 80) + (entry.answer.length > 80 ? "…" : ""), "muted small"));
      return li;
    }) : [el("li", "没有找到，换几个字试试", "muted")]));
  } catch (error) {
    list.replaceChildren(el("li", error.message, "error"));
  }
}

function onKnowledgeKey(event) {
  const buttons = [...document.querySelectorAll("#knowledge-results button")];
  if (!buttons.length) return;
  const at = buttons.indexOf(document.activeElement);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) document.getElementById("knowledge-query").focus();
    else buttons[Math.min(next, buttons.length - 1)].focus();
  } else if (event.key === "Enter" && event.target.id === "knowledge-query") {
    event.preventDefault();
    buttons[0].click();
  }
}

async function addNote(event) {
  event.preventDefault();
  const box = document.getElementById("note");
  const text = box.value.trim();
  if (!text) { contextError("备注不能为空"); return; }
  try {
    await api(handoffPath("/notes"), { method: "POST", body: JSON.stringify({ text }) });
    box.value = "";  // only once it is kept
    refreshContext();
  } catch (error) {
    contextError(error.message);
  }
}

if (document.getElementById("conversation")) {
  const box = replyBox();
  box.addEventListener("input", updateMenu);
  box.addEventListener("keydown", onReplyKey);
  box.addEventListener("blur", closeMenu);
  document.getElementById("note-form").addEventListener("submit", addNote);
  document.getElementById("transfer-colleague").addEventListener("click", () => {
    const chosen = document.getElementById("colleague").value;
    if (!chosen) { showError("请先选择要转给哪位同事"); return; }
    act(document.getElementById("conversation"), "transfer", { colleague: Number(chosen) }).then(refreshContext);
  });
  const dialog = document.getElementById("knowledge-dialog");
  document.getElementById("open-knowledge").addEventListener("click", () => {
    dialog.showModal();
    document.getElementById("knowledge-query").focus();
  });
  document.getElementById("knowledge-query").addEventListener("input", () => {
    clearTimeout(tools.searching);
    tools.searching = setTimeout(searchKnowledge, 200);
  });
  dialog.addEventListener("keydown", onKnowledgeKey);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeMenu(); });
  // New lines in the transcript may come with a new case, answer or note: read the panels again then.
  new MutationObserver(() => {
    const count = document.getElementById("transcript").children.length;
    if (count !== tools.lines) { tools.lines = count; refreshContext(); }
  }).observe(document.getElementById("transcript"), { childList: true });
  refreshContext();
}
