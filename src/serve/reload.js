(() => {
  // pmarchive serve: reload on rebuild, show build errors as an overlay (text only).
  const show = (text) => {
    let box = document.getElementById("pmarchive-error");
    if (!text) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "pmarchive-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:99999;background:#2b0d0d;color:#ffd7d7;border:2px solid #ff6b6b;border-radius:8px;padding:1rem;font:13px/1.45 ui-monospace,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)";
      const title = document.createElement("strong");
      title.textContent = "pmarchive: the build failed; showing the last good version";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
      box.append(title, pre);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = text;
  };
  show(window.__pmarchiveError);
  // `check` warnings of this page's postmortem, in a box the author can close.
  const warnings = window.__pmarchiveWarnings;
  if (warnings && !window.__pmarchiveError) {
    const box = document.createElement("details");
    box.id = "pmarchive-warnings";
    box.style.cssText = "position:fixed;right:1rem;bottom:1rem;max-width:min(48rem,90vw);max-height:50vh;overflow:auto;z-index:99998;background:#fff8e1;color:#3b2a00;border:2px solid #f0b35b;border-radius:8px;padding:.5rem .8rem;font:13px/1.45 ui-monospace,monospace";
    const summary = document.createElement("summary");
    summary.textContent = `pmarchive check: ${warnings.split("\n").length} warning(s) in this postmortem`;
    const pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
    pre.textContent = warnings;
    box.append(summary, pre);
    document.body.append(box);
  }
  // The server refuses event streams beyond its limit (503): the browser then gives up on
  // the stream, so this client tries again a few seconds later.
  const listen = () => {
    const events = new EventSource("/__pmarchive/events");
    events.onmessage = (e) => {
      if (e.data === "reload") location.reload();
      else if (e.data.startsWith("error:")) show(JSON.parse(e.data.slice(6)));
    };
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) {
        setTimeout(listen, 2000 + Math.random() * 3000);
      }
    };
  };
  listen();
})();
