// Live console pages: the server's event stream (bot/web/live.py), a slow poll only while it fails.
"use strict";
const FALLBACK_POLL_MS = 10000;
const STREAM_RETRY_MS = 30000;

function followLive(path, handlers, poll) {
  let timer = null;
  const stopPolling = () => { clearInterval(timer); timer = null; };
  const startPolling = () => { if (!timer) { poll(); timer = setInterval(poll, FALLBACK_POLL_MS); } };
  if (!window.EventSource) { startPolling(); return; }
  const open = () => {
    const source = new EventSource(path);
    source.addEventListener("open", stopPolling);
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
    }
    source.addEventListener("signout", () => { source.close(); window.location.href = "/console/login"; });
    source.addEventListener("error", () => {
      // The browser reconnects by itself after a dropped stream; a refused one (CLOSED) falls back to polling.
      if (source.readyState === EventSource.CLOSED) { startPolling(); setTimeout(open, STREAM_RETRY_MS); }
    });
  };
  open();
}
