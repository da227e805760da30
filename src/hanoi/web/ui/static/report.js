/* The court report link (#report-link on the request page): making the report takes
 * seconds (every evidence package is verified again), so the page says it is working.
 *
 * Without this script the link is a plain download. With it, a click asks for the same
 * URL with `?ready=<random token>`; the node answers with the PDF and a short-lived,
 * script-readable cookie `hanoi_report_ready=<token>` (report_pages.py), which reaches the
 * page when the download has been handed over. Meanwhile the report's section is
 * aria-busy, the link is disabled, and the polite live region #report-status says
 * "Preparing the report…"; then "ready", or after GIVE_UP_MS that it is taking long. No
 * fetch (the page's CSP has no connect-src) and no inline script (script-src 'self').
 * Texts come translated from the status element's data attributes.
 */
"use strict";

(() => {
  const link = document.getElementById("report-link");
  const status = document.getElementById("report-status");
  if (!link || !status) return;

  const COOKIE = "hanoi_report_ready";
  const POLL_MS = 400;
  const GIVE_UP_MS = 180000;
  const region = link.closest("section") || link.parentElement;
  let poll = null;

  const token = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  const cookie = () => {
    const found = document.cookie.split("; ").find((c) => c.startsWith(`${COOKIE}=`));
    return found ? found.slice(COOKIE.length + 1) : null;
  };

  const forget = () => {
    document.cookie = `${COOKIE}=; Max-Age=0; Path=/ui; SameSite=Strict`;
  };

  const settle = (text) => {
    window.clearInterval(poll);
    poll = null;
    forget();
    region.removeAttribute("aria-busy");
    link.removeAttribute("aria-disabled");
    status.textContent = text;
  };

  link.addEventListener("click", (event) => {
    event.preventDefault();
    if (poll !== null) return; // one report at a time
    const wanted = token();
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("ready", wanted);
    forget();
    region.setAttribute("aria-busy", "true");
    link.setAttribute("aria-disabled", "true");
    status.textContent = status.dataset.preparing;
    const started = Date.now();
    poll = window.setInterval(() => {
      if (cookie() === wanted) settle(status.dataset.ready);
      else if (Date.now() - started > GIVE_UP_MS) settle(status.dataset.slow);
    }, POLL_MS);
    const download = document.createElement("a");
    download.href = url.pathname + url.search;
    download.download = "";
    download.hidden = true;
    document.body.append(download);
    download.click();
    download.remove();
  });
})();
