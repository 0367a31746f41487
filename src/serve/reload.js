(() => {
  // pmarchive serve: reload on rebuild, show build errors as an overlay (text only).
  // The overlay's own look, in both colour schemes: nothing of the site's stylesheet (its code
  // background, its fonts) reaches it. The message is `check`'s, with the source line and the
  // carets under it, so it keeps its line breaks and scrolls sideways on a narrow screen.
  const STYLE = `
#pmarchive-error { all: initial; position: fixed; left: .5rem; right: .5rem; bottom: .5rem; z-index: 99999;
  max-height: 70vh; overflow: auto; box-sizing: border-box; padding: .75rem 1rem; border-radius: 8px;
  background: #fff5f5; color: #4a0b0b; border: 2px solid #c62828; box-shadow: 0 8px 30px rgba(0,0,0,.35);
  font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
#pmarchive-error strong { display: block; font: 700 14px/1.4 system-ui, sans-serif; color: #8e1111; }
#pmarchive-error pre { all: unset; display: block; margin: .5rem 0 0; white-space: pre; overflow-x: auto;
  font: inherit; color: inherit; background: transparent; }
#pmarchive-error pre:focus-visible { outline: 2px solid #c62828; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  #pmarchive-error { background: #2b0d0d; color: #ffe3e3; border-color: #ff6b6b; }
  #pmarchive-error strong { color: #ffb4b4; }
  #pmarchive-error pre:focus-visible { outline-color: #ff6b6b; }
}
@media (max-width: 40rem) { #pmarchive-error { font-size: 12px; left: .25rem; right: .25rem; bottom: .25rem; padding: .5rem .6rem; } }`;
  const show = (text) => {
    let box = document.getElementById("pmarchive-error");
    if (!text) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      if (!document.getElementById("pmarchive-error-style")) {
        const style = document.createElement("style");
        style.id = "pmarchive-error-style";
        style.textContent = STYLE;
        document.head.append(style);
      }
      box = document.createElement("div");
      box.id = "pmarchive-error";
      box.setAttribute("role", "alert");
      const title = document.createElement("strong");
      title.textContent = "pmarchive: the build failed; showing the last good version";
      const pre = document.createElement("pre");
      pre.tabIndex = 0;
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
