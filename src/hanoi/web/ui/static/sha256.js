/* SHA-256 (FIPS 180-4) fed in pieces, for the upload page (upload.js).
 *
 * Why not WebCrypto: crypto.subtle.digest takes the whole input at once, and evidence
 * files run to many GiB; the page reads the file slice by slice and feeds each slice
 * here, so no more than one slice is ever in memory. upload.js still uses WebCrypto
 * for the digest of one PATCH, which it holds in memory anyway.
 *
 *   const hash = new HanoiSha256();
 *   hash.update(new Uint8Array(buffer));   // as many times as needed
 *   hash.hex();                            // 64 lower-case hex characters; then done
 *
 * tests/browser/test_upload_checksums_browser.py holds it to Python's hashlib.
 */
"use strict";

(() => {
  // The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  // The first 32 bits of the fractional parts of the square roots of the first 8 primes.
  const START = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  class HanoiSha256 {
    constructor() {
      this.state = new Uint32Array(START);
      this.words = new Uint32Array(64);
      this.pending = new Uint8Array(64);  // the start of a block that is not complete yet
      this.pendingLength = 0;
      this.length = 0;  // bytes so far; a Number is exact far beyond any file
      this.finished = false;
    }

    update(bytes) {
      if (this.finished) throw new Error("this SHA-256 is finished; start another");
      this.length += bytes.length;
      let at = 0;
      if (this.pendingLength > 0) {
        const take = Math.min(64 - this.pendingLength, bytes.length);
        this.pending.set(bytes.subarray(0, take), this.pendingLength);
        this.pendingLength += take;
        at = take;
        if (this.pendingLength < 64) return this;
        this.block(this.pending, 0);
        this.pendingLength = 0;
      }
      for (; at + 64 <= bytes.length; at += 64) this.block(bytes, at);
      if (at < bytes.length) {
        this.pending.set(bytes.subarray(at), 0);
        this.pendingLength = bytes.length - at;
      }
      return this;
    }

    block(bytes, at) {
      const w = this.words;
      for (let t = 0; t < 16; t++) {
        const i = at + 4 * t;
        w[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
      }
      for (let t = 16; t < 64; t++) {
        const x = w[t - 15];
        const y = w[t - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      const state = this.state;
      let a = state[0] | 0, b = state[1] | 0, c = state[2] | 0, d = state[3] | 0;
      let e = state[4] | 0, f = state[5] | 0, g = state[6] | 0, h = state[7] | 0;
      for (let t = 0; t < 64; t++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const choice = (e & f) ^ (~e & g);
        const t1 = (h + S1 + choice + K[t] + w[t]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const majority = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + majority) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      state[0] += a;  // a Uint32Array keeps each sum modulo 2^32
      state[1] += b;
      state[2] += c;
      state[3] += d;
      state[4] += e;
      state[5] += f;
      state[6] += g;
      state[7] += h;
    }

    digest() {
      if (!this.finished) {
        // Padding: 0x80, zeros up to 56 bytes into a block, then the length in bits as
        // a 64-bit big-endian number (split in two, as bit operations stop at 32 bits).
        const length = this.length;
        const padding = new Uint8Array(this.pendingLength < 56 ? 64 - this.pendingLength : 128 - this.pendingLength);
        padding[0] = 0x80;
        const view = new DataView(padding.buffer);
        view.setUint32(padding.length - 8, Math.floor(length / 0x20000000));
        view.setUint32(padding.length - 4, (length % 0x20000000) * 8);
        this.update(padding);
        this.finished = true;
      }
      const out = new Uint8Array(32);
      const view = new DataView(out.buffer);
      for (let i = 0; i < 8; i++) view.setUint32(4 * i, this.state[i]);
      return out;
    }

    hex() {
      return Array.from(this.digest(), (byte) => byte.toString(16).padStart(2, "0")).join("");
    }
  }

  window.HanoiSha256 = HanoiSha256;
})();
