/* Uploads: a small tus 1.0 client for the one form of the page that names the node's tus
 * endpoint (data-uploads): the evidence page's #evidence-form, or the documents form of a
 * draft (#documents-form). The form also gives the request (data-request), the size of a
 * PATCH (data-chunk-size), the largest file it takes (data-max-size) and, for a form other
 * than the evidence one, what it uploads (data-upload-key), which keeps its remembered
 * uploads apart from the evidence page's.
 *
 * First the page computes the file's SHA-256, slice by slice (sha256.js: a multi-GiB
 * file is never in memory whole), with the bar showing it, and announces it in the
 * upload's `sha256` metadata: the node refuses a completed upload whose bytes do not
 * match it, so a corrupted upload can never become evidence. Then the file goes to the
 * node in PATCH requests of data-chunk-size bytes (XMLHttpRequest, for upload progress),
 * each with `Upload-Checksum: sha256 <base64>` of its bytes (WebCrypto), which the node
 * checks before it counts them. The upload's URL and the file's SHA-256 are kept in
 * localStorage under the request, the file's name, size and last change, so that after
 * a reload or a dropped connection the upload asks the node how far it got (HEAD) and
 * goes on from there, without hashing again. A Web Lock on the same key keeps two tabs
 * from uploading the same file at once. Network errors are retried with a growing
 * delay; a 409 (another request still writes to the upload, or the node has another
 * offset) is answered by asking the offset again after a short delay. Pause stops at
 * once (the node keeps what it has fully received), Cancel deletes the upload. Once the
 * node has the whole file, the upload id goes into the form's hidden field and the form
 * is sent (a normal POST with its CSRF field). Every call to the node carries the CSRF
 * token in the X-CSRF-Token header. Texts come translated from the page (#upload-texts);
 * numbers are formatted with Intl.
 */
"use strict";

(() => {
  const form = document.querySelector("form[data-uploads]");
  if (!form) return;

  const TUS_VERSION = "1.0.0";
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000];
  const BUSY_DELAYS = [500, 1000, 2000, 3000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000];
  const STORAGE_PREFIX = "hanoi.upload:";
  const HEX_SHA256 = /^[0-9a-f]{64}$/;
  const Sha256 = window.HanoiSha256;
  const texts = JSON.parse(document.getElementById("upload-texts").textContent);
  const lang = document.documentElement.lang || "en";
  const endpoint = form.dataset.uploads;
  const requestId = form.dataset.request;
  const purpose = form.dataset.uploadKey ? [form.dataset.uploadKey] : [];  // evidence: none
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
    // Below a kilobyte the long form agrees with its count ("101 bytes"), as the node
    // writes it (LocaleFormat.bytes): CLDR's short "byte" does not change with the number.
    return numbers({ style: "unit", unit: "byte", unitDisplay: "long" }).format(size);
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

  function showChecking(job, { force = false } = {}) {
    const size = job.file.size;
    const fraction = size === 0 ? 1 : Math.min(1, job.hashed / size);
    bar.value = Math.round(fraction * 1000) / 10;
    say(fill(texts.checking, { percent: percent.format(Math.floor(fraction * 100) / 100) }), { force });
  }

  // --- remembering the upload across reloads ----------------------------------------------

  const storage = {
    get(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } },
    remove(key) { try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ } },
  };

  function keyOf(file) {
    return STORAGE_PREFIX + [requestId, ...purpose, file.name, file.size, file.lastModified].join(":");
  }

  // What is kept for a file: {"url": its upload on the node, "sha256": its digest}.
  function remembered(job) {
    try {
      const value = JSON.parse(storage.get(job.key) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (e) {
      return {};  // written by an older version of this page: start again
    }
  }

  function remember(job) {
    storage.set(job.key, JSON.stringify({ url: job.url, sha256: job.sha256 }));
  }

  // --- one tab at a time per file (Web Locks, where the browser has them) -----------------

  function lockFile(key) {
    const locks = navigator.locks;
    if (!locks || typeof locks.request !== "function") return Promise.resolve(() => {});
    return new Promise((resolve) => {
      locks.request(key, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);  // another tab or window uploads this file now
          return undefined;
        }
        return new Promise((release) => resolve(release));  // held until release()
      }).catch(() => resolve(() => {}));
    });
  }

  // --- digests ---------------------------------------------------------------------------

  function base64(bytes) {
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary);
  }

  // Upload-Checksum of one PATCH: WebCrypto (the piece is in memory anyway), or sha256.js
  // where WebCrypto is missing (a page served over plain HTTP away from loopback).
  async function checksumOf(buffer) {
    if (window.crypto && window.crypto.subtle) {
      return "sha256 " + base64(new Uint8Array(await window.crypto.subtle.digest("SHA-256", buffer)));
    }
    return "sha256 " + base64(new Sha256().update(new Uint8Array(buffer)).digest());
  }

  // The whole file's SHA-256, one slice in memory at a time; resumes after a pause.
  // False if the job was paused or stopped meanwhile.
  async function checkFile(job, alive) {
    if (!job.hasher) {
      job.hasher = new Sha256();
      job.hashed = 0;
    }
    showChecking(job, { force: true });
    while (job.hashed < job.file.size) {
      const end = Math.min(job.hashed + chunkSize(), job.file.size);
      const buffer = await job.file.slice(job.hashed, end).arrayBuffer();
      if (!alive()) return false;
      job.hasher.update(new Uint8Array(buffer));
      job.hashed = end;
      showChecking(job);
    }
    job.sha256 = job.hasher.hex();
    job.hasher = null;
    remember(job);
    return true;
  }

  // --- talking tus -------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, retry) {
      super("HTTP " + status);
      this.status = status;
      this.retry = retry;
    }
  }

  // 460: a PATCH's bytes arrived other than they left (Upload-Checksum): send them again.
  const RETRY_STATUSES = new Set([0, 408, 423, 429, 460, 500, 502, 503, 504]);

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

  function metadata(job) {
    const encode = (text) => base64(new TextEncoder().encode(text));
    const pairs = ["filename " + encode(job.file.name), "sha256 " + encode(job.sha256)];
    if (job.file.type) pairs.push("filetype " + encode(job.file.type));
    return pairs.join(",");
  }

  async function create(job) {
    const xhr = await send(job, "POST", endpoint, {
      "Upload-Length": String(job.file.size),
      "Upload-Metadata": metadata(job),
    });
    const location = xhr.getResponseHeader("Location");
    if (!location || !location.startsWith(endpoint + "/")) throw new HttpError(502, false);
    job.url = location;
    job.offset = Number(xhr.getResponseHeader("Upload-Offset")) || 0;
    remember(job);
  }

  async function head(job) {
    const xhr = await send(job, "HEAD", job.url, {});
    if (Number(xhr.getResponseHeader("Upload-Length")) !== job.file.size) {
      throw new HttpError(404, false);  // not this file's upload
    }
    job.offset = Number(xhr.getResponseHeader("Upload-Offset"));
    job.needsOffset = false;
  }

  async function locate(job, alive) {
    const stored = remembered(job);
    if (typeof stored.sha256 === "string" && HEX_SHA256.test(stored.sha256)) job.sha256 = stored.sha256;
    if (typeof stored.url === "string" && stored.url.startsWith(endpoint + "/")) {
      job.url = stored.url;
      try {
        await head(job);
        showProgress(job, job.offset, { force: true });
        if (job.offset > 0) say(fill(texts.resuming, { done: bytes(job.offset), total: bytes(job.file.size) }));
        return;
      } catch (error) {
        if (!(error instanceof HttpError) || error.retry || error.status < 0 || error.status === 401) throw error;
        job.url = null;  // gone, expired, or not ours: a new upload (the digest still holds)
        remember(job);
      }
    }
    if (!job.sha256 && !(await checkFile(job, alive))) return;
    if (!alive()) return;
    await create(job);
  }

  async function patch(job, alive) {
    const start = job.offset;
    const end = Math.min(start + chunkSize(), job.file.size);
    const piece = await job.file.slice(start, end).arrayBuffer();
    const checksum = await checksumOf(piece);
    if (!alive()) return;
    const xhr = await send(
      job,
      "PATCH",
      job.url,
      {
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": String(start),
        "Upload-Checksum": checksum,
      },
      piece,
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
      case 422: return texts.mismatch;  // the bytes the node got are not the file checked
      case 429: return texts.too_many;
      default: return texts.failed;
    }
  }

  async function run(current) {
    const generation = ++current.generation;
    const alive = () => job === current && current.generation === generation;
    setRunning(true);
    let attempt = 0;
    let busy = 0;
    while (alive()) {
      try {
        if (!current.url) await locate(current, alive);
        else if (current.needsOffset) await head(current);
        if (!alive() || !current.url) return;
        if (current.offset >= current.file.size) return finish(current);
        await patch(current, alive);
        attempt = 0;
        busy = 0;
        showProgress(current, current.offset);
      } catch (error) {
        if (!alive()) return;
        if (!(error instanceof HttpError)) {  // the file could not be read (moved, changed)
          say(texts.unreadable);
          stop(false);
          return;
        }
        if (error.status === 409 && busy < BUSY_DELAYS.length) {
          // Another request still writes to this upload (one this page gave up on, which
          // the node has not seen end yet), or the node has another offset: ask it, soon.
          await sleep(BUSY_DELAYS[busy++]);
          current.needsOffset = true;
          continue;
        }
        if (error.status === 409) {
          current.needsOffset = true;
          current.generation++;
          setRunning(false);
          say(texts.busy);
          return;
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
        if (error.status === 404 || error.status === 422) storage.remove(current.key);
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
    current.release();
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
      job.release();
    }
    job = null;
    setRunning(false);
    if (!keepMessage) fileInput.focus();
    else startButton.focus();
  }

  let starting = false;

  async function start(file) {
    const key = keyOf(file);
    starting = true;
    box.hidden = false;
    const release = await lockFile(key);
    starting = false;
    if (!release) {
      say(texts.other_tab);
      fileInput.focus();
      return;
    }
    job = {
      file,
      key,
      release,
      url: null,
      sha256: null,
      hasher: null,
      hashed: 0,
      offset: 0,
      needsOffset: false,
      generation: 0,
      xhr: null,
    };
    bar.value = 0;
    say(texts.starting);
    run(job);
    pauseButton.focus();  // the start button is hidden while the upload runs
  }

  form.addEventListener("submit", (event) => {
    const file = fileInput.files && fileInput.files[0];
    if (!file && uploadId.value) return;  // the file is on the node already: record it
    event.preventDefault();
    if (starting) return;
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
      if (!job.sha256) {  // paused while checking the file: Resume goes on from there
        const fraction = job.file.size ? Math.floor((job.hashed / job.file.size) * 100) / 100 : 1;
        say(fill(texts.checking_paused, { percent: percent.format(fraction) }));
        return;
      }
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
