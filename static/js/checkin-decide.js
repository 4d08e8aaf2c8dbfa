/* The gate's rule in the scanner page, for when the network is down.
 *
 * The same rule as conference/checkin/decision.py, on the snapshot the server hands the device
 * (GET /api/v1/checkin/snapshot). Both are tested against tests/checkin/vectors.json.
 * Payload: "C1" + base32(year-2000 [1] | badge id [3] | version [1] | zones [2] | Ed25519 signature [64]).
 */
(function (root) {
  "use strict";

  var PREFIX = "C1";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var BODY = 7, SIGNATURE = 64;
  var ENCODED_LENGTH = Math.ceil((BODY + SIGNATURE) * 8 / 5); // 114 characters
  var CODE_RESULTS = { not_a_badge: "invalid", malformed: "invalid", bad_signature: "invalid", wrong_edition: "wrong_edition" };

  function fromBase64Url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // The payload's parts, or {problem}. Only one spelling per badge is accepted.
  function read(text) {
    var payload = String(text || "").trim().toUpperCase();
    if (payload.indexOf(PREFIX) !== 0) return { problem: "not_a_badge" };
    var body = payload.slice(PREFIX.length);
    if (body.length !== ENCODED_LENGTH) return { problem: "malformed" };
    var bytes = new Uint8Array(BODY + SIGNATURE), buffer = 0, bits = 0, at = 0;
    for (var i = 0; i < body.length; i++) {
      var value = ALPHABET.indexOf(body[i]);
      if (value < 0) return { problem: "malformed" };
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        bytes[at++] = (buffer >> bits) & 0xff;
      }
      buffer &= (1 << bits) - 1;
    }
    if (buffer !== 0) return { problem: "malformed" }; // unused bits must be zero
    var message = bytes.slice(0, BODY), signature = bytes.slice(BODY);
    return {
      claim: {
        year: 2000 + message[0],
        badgeId: (message[1] << 16) | (message[2] << 8) | message[3],
        version: message[4],
        zones: (message[5] << 8) | message[6]
      },
      message: message,
      signature: signature
    };
  }

  // Ed25519 through WebCrypto where the browser has it (fast, secure contexts), else TweetNaCl.
  var keyCache = {};
  function verifier(publicKey) {
    if (keyCache[publicKey]) return keyCache[publicKey];
    var raw = fromBase64Url(publicKey);
    var viaNacl = function (message, signature) {
      return Promise.resolve(root.nacl ? root.nacl.sign.detached.verify(message, signature, raw) : false);
    };
    var subtle = root.crypto && root.crypto.subtle;
    var promise = subtle
      ? subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]).then(function (key) {
          return function (message, signature) { return subtle.verify({ name: "Ed25519" }, key, signature, message); };
        }, function () { return viaNacl; })
      : Promise.resolve(viaNacl);
    keyCache[publicKey] = promise;
    return promise;
  }

  function time(text) { return text ? Date.parse(text) : null; }

  function refusal(rule, badge, zones, at) {
    if (rule.categories.length && rule.categories.indexOf(badge.c) < 0) return "category";
    if (rule.zone_mask && !(zones & rule.zone_mask)) return "zone";
    if (rule.session && !badge.h) return "session";
    var opens = time(rule.opens_at), closes = time(rule.closes_at);
    if ((opens !== null && at < opens) || (closes !== null && at > closes)) return "hours";
    return null;
  }

  function answer(result, why, kind, badgeId, badge, counts) {
    return { result: result, why: why, kind: kind, badgeId: badgeId, badge: badge || null, counts: !!counts };
  }

  /* Decide a scan from a snapshot: {edition, public_key, rule, badges, inside, entered}.
   * `at` is a Date or milliseconds. Resolves to {result, why, kind, badgeId, badge, counts}. */
  function decide(snapshot, payload, kind, at) {
    var rule = snapshot.rule;
    kind = kind === "entry" && rule.mode === "exit" ? "exit" : (kind || "entry");
    var moment = at instanceof Date ? at.getTime() : at;
    var parts = read(payload);
    if (parts.problem) return Promise.resolve(answer(CODE_RESULTS[parts.problem], parts.problem, kind, null));
    var claim = parts.claim;
    if (claim.year !== snapshot.edition) return Promise.resolve(answer("wrong_edition", "wrong_edition", kind, claim.badgeId));
    if (!snapshot.public_key) return Promise.resolve(answer("invalid", "unknown", kind, claim.badgeId));
    return verifier(snapshot.public_key).then(function (check) {
      return check(parts.message, parts.signature);
    }).then(function (valid) {
      if (!valid) return answer("invalid", "bad_signature", kind, claim.badgeId);
      var badge = snapshot.badges[String(claim.badgeId)];
      if (!badge) return answer("invalid", "unknown", kind, claim.badgeId);
      if (claim.version < badge.v) return answer("superseded", "superseded", kind, claim.badgeId, badge);
      if (badge.s === "revoked") return answer("revoked", "revoked", kind, claim.badgeId, badge);
      var why = refusal(rule, badge, claim.zones, moment);
      if (why) return answer(why === "hours" ? "outside_hours" : "not_allowed_here", why, kind, claim.badgeId, badge);
      if (kind === "print" || kind === "lookup") return answer("admitted", "", kind, claim.badgeId, badge);
      var inside = snapshot.inside.indexOf(claim.badgeId) >= 0;
      if (kind === "exit") return answer("left", inside ? "" : "not_inside", kind, claim.badgeId, badge, true);
      if (inside) return answer("already_inside", "", kind, claim.badgeId, badge);
      if (!rule.reentry && snapshot.entered.indexOf(claim.badgeId) >= 0) {
        return answer("not_allowed_here", "reentry", kind, claim.badgeId, badge);
      }
      return answer("admitted", "", kind, claim.badgeId, badge, true);
    });
  }

  // What a decision changes in the snapshot, so the next offline scan knows who is inside.
  function apply(snapshot, decision) {
    if (!decision.counts) return;
    var inside = snapshot.inside.indexOf(decision.badgeId);
    if (decision.kind === "exit") {
      if (inside >= 0) snapshot.inside.splice(inside, 1);
      return;
    }
    if (inside < 0) snapshot.inside.push(decision.badgeId);
    if (snapshot.entered.indexOf(decision.badgeId) < 0) snapshot.entered.push(decision.badgeId);
  }

  root.CheckinDecide = { read: read, decide: decide, apply: apply };
})(typeof self !== "undefined" ? self : this);
