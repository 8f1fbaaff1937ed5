// The bot's answers as DOM nodes: paragraphs and line breaks, bulleted (- • ·) and numbered lists, **bold**,
// and links: [text](url) and bare URLs (http and https only), hotline and mobile numbers as tel: links.
// Only text nodes and a fixed set of elements are made: no string is ever parsed as HTML, and a link whose
// address is anything but http(s) stays text.
(function () {
  "use strict";

  var BULLET = /^\s*[-•·]\s+(.*)$/;
  var NUMBERED = /^\s*(\d{1,2})(?:[.．]\s+|、\s*)(.*)$/;
  // An address is ASCII (Chinese text runs on right after it) and does not end in punctuation.
  var URL_CHARS = "[A-Za-z0-9\\-._~:/?#@!$&'()*+,;=%]";
  var URL_END = "[A-Za-z0-9\\-_~/#=&%+]";

  // Each rule finds one kind of span; the text between spans goes to the rules after it.
  var INLINE = [
    { pattern: /\*\*(?=\S)([\s\S]*?\S)\*\*/, make: function (m, next) {
      var strong = document.createElement("strong");
      append(strong, inline(m[1], next));
      return strong;
    } },
    { pattern: new RegExp("\\[([^\\[\\]\\n]+)\\]\\((https?://" + URL_CHARS + "*?)\\)"), make: function (m) {
      return link(m[2], m[1]) || document.createTextNode(m[0]);
    } },
    { pattern: new RegExp("https?://" + URL_CHARS + "*" + URL_END), make: function (m) {
      return link(m[0], m[0]) || document.createTextNode(m[0]);
    } },
    { pattern: /(?<![\d\-])(?:123\d\d|1[3-9]\d{9})(?![\d\-])/, make: function (m) {
      var a = document.createElement("a");
      a.href = "tel:" + m[0];
      a.textContent = m[0];
      return a;
    } }
  ];

  function link(address, text) {
    var url;
    try { url = new URL(address); } catch (error) { return null; }
    if (url.protocol !== "http:" && url.protocol !== "https:") { return null; }
    var a = document.createElement("a");
    a.href = url.href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = text;
    return a;
  }

  function inline(text, level) {
    var nodes = [];
    var rule = INLINE[level];
    var match;
    while (rule && text && (match = rule.pattern.exec(text))) {
      nodes = nodes.concat(inline(text.slice(0, match.index), level + 1));
      nodes.push(rule.make(match, level + 1));
      text = text.slice(match.index + match[0].length);
    }
    if (!rule) { return text ? [document.createTextNode(text)] : []; }
    return nodes.concat(inline(text, level + 1));
  }

  function append(parent, nodes) {
    nodes.forEach(function (node) { parent.appendChild(node); });
  }

  // One block (text between blank lines): runs of list lines become lists, other lines paragraphs with <br>.
  function appendBlock(parent, block) {
    var list = null;
    var paragraph = null;
    block.split("\n").forEach(function (line) {
      var bullet = BULLET.exec(line);
      var numbered = bullet ? null : NUMBERED.exec(line);
      if (bullet || numbered) {
        var kind = bullet ? "UL" : "OL";
        if (!list || list.tagName !== kind) {
          list = parent.appendChild(document.createElement(kind));
          if (numbered) { list.start = Number(numbered[1]); }
        }
        var item = list.appendChild(document.createElement("li"));
        append(item, inline(bullet ? bullet[1] : numbered[2], 0));
        paragraph = null;
      } else if (line.trim()) {
        if (paragraph) { paragraph.appendChild(document.createElement("br")); }
        else { paragraph = parent.appendChild(document.createElement("p")); }
        append(paragraph, inline(line, 0));
        list = null;
      }
    });
  }

  window.ChatFormat = {
    // A DocumentFragment for the text of one bot message.
    richText: function (text) {
      var fragment = document.createDocumentFragment();
      String(text).replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/).forEach(function (block) {
        appendBlock(fragment, block);
      });
      return fragment;
    }
  };
})();
