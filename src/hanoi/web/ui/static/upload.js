/* Evidence upload: a small tus 1.0 client for the form #evidence-form.
 *
 * The file goes to the node in PATCH requests of data-chunk-size bytes (XMLHttpRequest,
 * for upload progress). The upload's URL is kept in localStorage under the request, the
 * file's name, size and last change, so that after a reload or a dropped connection the
 * upload asks the node how far it got (HEAD) and goes on from there. Network errors are
 * retried with a growing delay; Pause stops at once (the node keeps what it has fully
 * received), Cancel deletes the upload. Once the node has the whole file, the upload id
 * goes into the form's hidden field and the form is sent (a normal POST with its CSRF
 * field). Every call to the node carries the CSRF token in the X-CSRF-Token header.
 * Texts come translated from the page (#upload-texts); numbers are formatted with Intl.
 */
"use strict";

(() => {
  const form = document.getElementById("evidence-form");
  if (!form) return;

  const TUS_VERSION = "1.0.0";
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000];
  const STORAGE_PREFIX = "hanoi.upload:";
  const texts = JSON.parse(document.getElementById("upload-texts").textContent);
  const lang = document.documentElement.lang || "en";
  const endpoint = form.dataset.uploads;
  const requestId = form.dataset.request;
  const chunkSize = () => Math.max(1, Number(form.dataset.chunkSize) || 8388608);
  const maxSize = Number(form.dataset.maxSize);
  const csrf = form.elements.namedItem("csrf_token").value;
  const uploadId = form.elements.namedItem("upload_id");
  const fileInput = document.getElementById("field-file");
  const box = document.getElementById("upload-box");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const startButton = document.getElementById("upload-start");
  const pauseButton = document.getElementById("upload-pause");
  const cancelButton = document.getElementById("upload-cancel");

  // --- words and numbers ---------------------------------------------------------------

  const numbers = (options) =>
    new Intl.NumberFormat(lang, { numberingSystem: "latn", ...options });
  const percent = numbers({ style: "percent", maximumFractionDigits: 0 });
  const UNITS = [[1e12, "terabyte"], [1e9, "gigabyte"], [1e6, "megabyte"], [1e3, "kilobyte"]];

  function bytes(size) {
    for (const [scale, unit] of UNITS) {
      if (size >= scale) {
        const format = numbers({ style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 });
        return format.format(size / scale);
      }
    }
    return numbers({ style: "unit", unit: "byte", unitDisplay: "short" }).format(size);
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  let lastSaid = 0;
  function say(text, { force = true } = {}) {
    const now = Date.now();
    if (!force && now - lastSaid < 1000) return;  // a polite live region, not a flood
    lastSaid = now;
    status.textContent = text;
  }

  function showProgress(job, done, { force = false } = {}) {
    const size = job.file.size;
    const fraction = size === 0 ? 1 : Math.min(1, done / size);
    bar.value = Math.round(fraction * 1000) / 10;
    say(fill(texts.progress, {
      percent: percent.format(Math.floor(fraction * 100) / 100),
      done: bytes(done),
      total: bytes(size),
    }), { force });
  }

  // --- remembering the upload across reloads ----------------------------------------------

  const storage = {
    get(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } },
    remove(key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } },
  };

  function keyOf(file) {
    return STORAGE_PREFIX + [requestId, file.name, file.size, file.lastModified].join(":");
  }

  // --- talking tus -------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, retry) {
      super("HTTP " + status);
      this.status = status;
      this.retry = retry;
    }
  }

  const RETRY_STATUSES = new Set([0, 408, 423, 429, 500, 502, 503, 504]);

  function send(job, method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", TUS_VERSION);
      if (method !== "HEAD") xhr.setRequestHeader("X-CSRF-Token", csrf);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
        else reject(new HttpError(xhr.status, RETRY_STATUSES.has(xhr.status) && method !== "POST"));
      };
      xhr.onerror = () => reject(new HttpError(0, true));
      xhr.ontimeout = () => reject(new HttpError(0, true));
      xhr.onabort = () => reject(new HttpError(-1, false));
      xhr.send(body === undefined ? null : body);
    });
  }

  function metadata(file) {
    const encode = (text) => {
      let binary = "";
      for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
      return btoa(binary);
    };
    const pairs = ["filename " + encode(file.name)];
    if (file.type) pairs.push("filetype " + encode(file.type));
    return pairs.join(",");
  }

  async function create(job) {
    const xhr = await send(job, "POST", endpoint, {
      "Upload-Length": String(job.file.size),
      "Upload-Metadata": metadata(job.file),
    });
    const location = xhr.getResponseHeader("Location");
    if (!location || !location.startsWith(endpoint + "/")) throw new HttpError(502, false);
    job.url = location;
    job.offset = Number(xhr.getResponseHeader("Upload-Offset")) || 0;
    storage.set(job.key, job.url);
  }

  async function head(job) {
    const xhr = await send(job, "HEAD", job.url, {});
    if (Number(xhr.getResponseHeader("Upload-Length")) !== job.file.size) {
      throw new HttpError(404, false);  // not this file's upload
    }
    job.offset = Number(xhr.getResponseHeader("Upload-Offset"));
    job.needsOffset = false;
  }

  async function locate(job) {
    const stored = storage.get(job.key);
    if (stored && stored.startsWith(endpoint + "/")) {
      job.url = stored;
      try {
        await head(job);
        showProgress(job, job.offset, { force: true });
        if (job.offset > 0) say(fill(texts.resuming, { done: bytes(job.offset), total: bytes(job.file.size) }));
        return;
      } catch (error) {
        if (!(error instanceof HttpError) || error.retry || error.status < 0 || error.status === 401) throw error;
        storage.remove(job.key);  // gone, expired, or not ours: start again
        job.url = null;
      }
    }
    await create(job);
  }

  async function patch(job) {
    const start = job.offset;
    const end = Math.min(start + chunkSize(), job.file.size);
    const xhr = await send(
      job,
      "PATCH",
      job.url,
      { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(start) },
      job.file.slice(start, end),
      (loaded) => showProgress(job, start + loaded),
    );
    job.offset = Number(xhr.getResponseHeader("Upload-Offset"));
  }

  // --- one upload: run, pause, resume, cancel -------------------------------------------------

  let job = null;

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  let running = false;

  function setRunning(now) {
    running = now;
    startButton.hidden = job !== null;  // while there is an upload: Pause/Resume and Cancel
    fileInput.disabled = job !== null;
    pauseButton.hidden = job === null;
    cancelButton.hidden = job === null;
    pauseButton.textContent = now ? texts.pause : texts.resume;
  }

  function explain(error) {
    switch (error.status) {
      case 401: return texts.session;
      case 403: return texts.expired;
      case 404: case 410: return texts.gone;
      case 413: return fill(texts.too_large, { size: bytes(maxSize) });
      case 429: return texts.too_many;
      default: return texts.failed;
    }
  }

  async function run(current) {
    const generation = ++current.generation;
    const alive = () => job === current && current.generation === generation;
    setRunning(true);
    let attempt = 0;
    while (alive()) {
      try {
        if (!current.url) await locate(current);
        else if (current.needsOffset) await head(current);
        if (!alive()) return;
        if (current.offset >= current.file.size) return finish(current);
        await patch(current);
        attempt = 0;
        showProgress(current, current.offset);
      } catch (error) {
        if (!alive()) return;
        if (error instanceof HttpError && error.status === 409) {
          current.needsOffset = true;  // the node has another offset: ask it
          continue;
        }
        if (error instanceof HttpError && error.retry && attempt < RETRY_DELAYS.length) {
          say(texts.retrying);
          await sleep(RETRY_DELAYS[attempt++]);
          current.needsOffset = true;
          continue;
        }
        if (error instanceof HttpError && (error.retry || error.status === 401)) {
          current.needsOffset = true;
          current.generation++;
          setRunning(false);
          say(error.retry ? texts.gave_up : texts.session);
          return;
        }
        if (error instanceof HttpError && error.status === 404) storage.remove(current.key);
        say(explain(error));
        stop(false);
        return;
      }
    }
  }

  function finish(current) {
    bar.value = 100;
    showProgress(current, current.file.size, { force: true });
    say(texts.complete);
    storage.remove(current.key);
    uploadId.value = current.url.slice(current.url.lastIndexOf("/") + 1);
    job = null;
    pauseButton.hidden = true;
    cancelButton.hidden = true;
    fileInput.disabled = false;  // a disabled control would not be sent; this one has no name
    form.submit();
  }

  function stop(keepMessage) {
    if (job) {
      job.generation++;
      if (job.xhr) job.xhr.abort();
    }
    job = null;
    setRunning(false);
    if (!keepMessage) fileInput.focus();
    else startButton.focus();
  }

  function start(file) {
    job = {
      file,
      key: keyOf(file),
      url: null,
      offset: 0,
      needsOffset: false,
      generation: 0,
      xhr: null,
    };
    box.hidden = false;
    bar.value = 0;
    say(texts.starting);
    run(job);
    pauseButton.focus();  // the start button is hidden while the upload runs
  }

  form.addEventListener("submit", (event) => {
    const file = fileInput.files && fileInput.files[0];
    if (!file && uploadId.value) return;  // the file is on the node already: record it
    event.preventDefault();
    if (job) {
      if (!running) pauseButton.click();  // Enter in a field while paused: resume
      return;
    }
    if (!file) {
      say(texts.no_file);
      fileInput.focus();
      return;
    }
    if (file.size > maxSize) {
      say(fill(texts.too_large, { size: bytes(maxSize) }));
      fileInput.focus();
      return;
    }
    uploadId.value = "";
    start(file);
  });

  pauseButton.addEventListener("click", () => {
    if (!job) return;
    if (running) {  // pause now: the node keeps what it has fully received
      job.generation++;
      if (job.xhr) job.xhr.abort();
      job.needsOffset = true;
      setRunning(false);
      say(fill(texts.paused, { done: bytes(job.offset), total: bytes(job.file.size) }));
      bar.value = job.file.size ? Math.round((job.offset / job.file.size) * 1000) / 10 : 0;
    } else {
      say(fill(texts.resuming, { done: bytes(job.offset), total: bytes(job.file.size) }));
      run(job);
    }
  });

  cancelButton.addEventListener("click", () => {
    if (!job) return;
    const cancelled = job;
    stop(true);
    storage.remove(cancelled.key);
    if (cancelled.url) {
      send(cancelled, "DELETE", cancelled.url, {}).catch(() => { /* gone already, or complete */ });
    }
    bar.value = 0;
    uploadId.value = "";
    say(texts.cancelled);
  });

  box.hidden = false;
})();
