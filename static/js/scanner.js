/* The volunteer's scanner: camera (jsQR) or handheld scanner (keyboard wedge), a full-screen
 * answer with sound and vibration, and offline without asking.
 *
 * The page goes offline only when the server cannot be reached (network error, timeout, 5xx):
 * then it decides with CheckinDecide on its snapshot and queues the scan. Any other "no" from
 * the server is that scan's refusal. The queue, and what this phone itself saw of who is inside
 * (its local presence), live in IndexedDB, so a reload forgets neither. Each queued scan keeps
 * the device token and checkpoint it was made with and is sent with that token, whatever the
 * phone is paired to by then; an item the server refuses leaves the queue, so it always drains.
 *
 * One badge, one answer: a code the camera keeps seeing is not scanned again until it has been
 * out of view, and the same code typed by a handheld scanner within seconds is ignored.
 *
 * A volunteer signed in with their account gets a token from their shift (valid from half an
 * hour before it to half an hour after), asked for when the phone holds none. Shift check-in
 * mode sends volunteers' badges to shift-scans, online only: it never decides here nor queues. */
(function () {
  "use strict";

  var TEXTS = JSON.parse(document.getElementById("texts").textContent);
  var API = "/api/v1/checkin";
  var TOKEN_KEY = "checkin.device-token";
  var SYNC_KEY = "checkin.last-sync";
  var SHIFT_KEY = "checkin.shift-until"; // the end of a shift token's window; none for a paired phone
  var SHIFT_NOTE_KEY = "checkin.shift-note";
  var ONLINE_TIMEOUT_MS = 2500;
  var SNAPSHOT_EVERY_MS = 60000;
  var RETRY_EVERY_MS = 10000;
  var BATCH_SIZE = 200;
  // One badge, one answer, on performance.now(). The camera reads a badge in view several
  // times a second and misses it in a blurred frame now and then.
  var OUT_OF_VIEW_MS = 1500; // unseen this long: it was taken away, and counts when it comes back
  var RECOUNT_AFTER_MS = 10000; // …or after this long since it counted, once it left the view at all
  var LOOKED_AWAY_MS = 400; // unseen this long is "left the view" (one blurred frame is not)
  var WEDGE_REPEAT_MS = 3000; // a handheld scanner in presentation mode resends what it sees
  var lang = document.documentElement.lang;
  var english = lang.indexOf("en") === 0;

  var token = localStorage.getItem(TOKEN_KEY);
  var lastSync = Number(localStorage.getItem(SYNC_KEY)) || 0;
  var shiftUntil = Number(localStorage.getItem(SHIFT_KEY)) || 0;
  var shiftRightsUrl = document.body.dataset.shiftRights || "";
  var shiftMode = false;
  var shiftTimer = null;
  var serverSnapshot = null; // as the server sent it
  var snapshot = null; // the same, with what this phone has seen since (local presence)
  var queue = []; // scans waiting to be sent, in the order they were made; mirrored in IndexedDB
  var events = []; // this phone's own entries and exits: its local presence; mirrored in IndexedDB
  var kind = "entry";
  var reachable = navigator.onLine;
  var flushing = null;
  var conflicts = 0;
  var sequence = 0;
  var $ = function (id) { return document.getElementById(id); };

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function nextSeq() { return Date.now() * 1000 + (sequence++ % 1000); }
  function bySeq(a, b) { return a.seq - b.seq; }

  function clock(moment) {
    return new Date(moment).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  // IndexedDB: the snapshot, the queue, the local presence ----------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open("checkin", 2);
    open.onupgradeneeded = function (event) {
      var db = open.result;
      if (event.oldVersion < 1) {
        db.createObjectStore("snapshot");
        db.createObjectStore("queue", { keyPath: "client_scan_id" });
      }
      if (event.oldVersion < 2) {
        db.createObjectStore("presence", { keyPath: "client_scan_id" });
        // Scans queued by the first version were made with the token this phone holds.
        open.transaction.objectStore("queue").openCursor().onsuccess = function (found) {
          var cursor = found.target.result;
          if (!cursor) return;
          if (!cursor.value.token) cursor.update(Object.assign(cursor.value, { token: token }));
          cursor.continue();
        };
      }
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  function store(name, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), result = work(tx.objectStore(name));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function saveAll(name, items) { return store(name, "readwrite", function (s) { items.forEach(function (item) { s.put(item); }); }); }
  function dropAll(name, ids) { return store(name, "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); }); }

  // The local presence: the server's snapshot, then this phone's own entries and exits -------
  function rebuild() {
    if (!serverSnapshot) { snapshot = null; return; }
    var current = JSON.parse(JSON.stringify(serverSnapshot));
    events.forEach(function (event) { if (event.area === current.checkpoint.area) CheckinDecide.apply(current, event); });
    snapshot = current;
  }

  // `known`: when the server learnt of it (null while the scan waits in the queue).
  function note(id, entering, badgeId, known) {
    if (!snapshot || badgeId === null || badgeId === undefined) return Promise.resolve();
    var event = { client_scan_id: id, area: snapshot.checkpoint.area, badgeId: badgeId, counts: true,
                  kind: entering ? "entry" : "exit", seq: nextSeq(), known: known };
    events.push(event);
    CheckinDecide.apply(snapshot, event);
    return saveAll("presence", [event]);
  }

  function adopt(fresh, askedAt) {
    // What the server knew when it made this snapshot is in it; this phone's unsent scans and
    // what it learnt since are not.
    var stale = events.filter(function (event) { return event.known !== null && event.known < askedAt; });
    events = events.filter(function (event) { return stale.indexOf(event) < 0; });
    serverSnapshot = fresh;
    rebuild();
    showCheckpoint();
    return Promise.all([dropAll("presence", stale.map(function (event) { return event.client_scan_id; })),
                        store("snapshot", "readwrite", function (s) { s.put(fresh, "current"); })]);
  }

  // Talking to the server ------------------------------------------------------------------
  // The server could not answer: try again later. Any other status is an answer.
  function unreachable(status) { return status >= 500 || status === 408 || status === 429; }

  /* Resolves to {status, body}; rejects when the server cannot be reached. Every call says how
   * many scans this phone has not sent yet. `options.token`: another token than the current. */
  function call(path, options) {
    options = options || {};
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, options.timeout || ONLINE_TIMEOUT_MS);
    var bearer = "token" in options ? options.token : token;
    var headers = { "Content-Type": "application/json", "Accept-Language": lang, "X-Scanner-Queue": String(queue.length) };
    if (bearer) headers.Authorization = "Bearer " + bearer;
    return fetch(path, { method: options.method || "GET", headers: headers, body: options.body, signal: controller.signal })
      .finally(function () { clearTimeout(timer); })
      .then(function (response) {
        if (unreachable(response.status)) throw new Error("server " + response.status);
        if (options.raw) return response;
        return response.json().then(function (body) {
          if (response.ok) synced();
          return { status: response.status, body: body };
        }, function () {
          // A page that is not our JSON: a captive portal's login page answers 200 too.
          if (response.ok) throw new Error("not the server");
          return { status: response.status, body: {} };
        });
      });
  }

  // The server's message for a refusal: {"error": text} or {"errors": {field: text}}.
  function problemText(body) {
    if (body && typeof body.error === "string") return body.error;
    var messages = body && body.errors ? Object.keys(body.errors).map(function (field) { return String(body.errors[field]); }) : [];
    return messages.join(" ") || TEXTS.refused_default;
  }

  function synced() {
    lastSync = Date.now();
    localStorage.setItem(SYNC_KEY, String(lastSync));
    status();
  }

  function setReachable(value) {
    reachable = value;
    banner();
  }

  function refreshSnapshot() {
    if (!token) return Promise.resolve();
    var asked = Date.now(), held = token;
    return call(API + "/snapshot", { timeout: 15000 }).then(function (reply) {
      setReachable(true);
      if (held !== token) return;
      if (reply.status === 401) { dropped(reply.body); return; }
      if (reply.status === 200) return adopt(reply.body, asked);
    }, function () { setReachable(false); });
  }

  // The queue --------------------------------------------------------------------------------
  function enqueue(scan) {
    queue.push(scan);
    status();
    return saveAll("queue", [scan]);
  }

  function leaveQueue(scans) {
    queue = queue.filter(function (scan) { return scans.indexOf(scan) < 0; });
    status();
    return dropAll("queue", scans.map(function (scan) { return scan.client_scan_id; }));
  }

  // The server took these scans: what this phone decided offline is now the server's to know.
  function accepted(scans) {
    var ids = scans.map(function (scan) { return scan.client_scan_id; }), now = Date.now();
    var known = events.filter(function (event) { return ids.indexOf(event.client_scan_id) >= 0; });
    known.forEach(function (event) { event.known = now; });
    return Promise.all([leaveQueue(scans), saveAll("presence", known)]);
  }

  // The server refused these scans: they leave the queue, and what they changed on this phone.
  function refused(scans, messages) {
    var ids = scans.map(function (scan) { return scan.client_scan_id; });
    events = events.filter(function (event) { return ids.indexOf(event.client_scan_id) < 0; });
    rebuild();
    scans.forEach(function (scan, index) {
      var badge = snapshot && scan.decision && snapshot.badges[String(scan.decision.badgeId)];
      // A scan made at the checkpoint this phone was paired to before says where.
      var elsewhere = scan.checkpoint && !(snapshot && snapshot.checkpoint.id === scan.checkpoint.id);
      remember({ result: "refused", person: badge ? offlinePerson(badge) : null, reason: messages[index],
                 checkpoint: elsewhere ? scan.checkpoint.code : "" }, Date.parse(scan.scanned_at));
    });
    return Promise.all([leaveQueue(scans), dropAll("presence", ids)]);
  }

  // Send the queue, oldest first, each scan with the token it was made with. Resolves when the
  // queue is empty or the server cannot be reached; never rejects.
  function flush() {
    if (flushing) return flushing;
    if (!queue.length) return Promise.resolve();
    flushing = sendBatch().finally(function () { flushing = null; banner(); });
    return flushing;
  }

  function sendBatch() {
    if (!queue.length) return Promise.resolve();
    var held = queue[0].token;
    var batch = queue.filter(function (scan) { return scan.token === held; }).slice(0, BATCH_SIZE);
    banner(batch.length);
    var body = JSON.stringify({ scans: batch.map(function (scan) {
      return { payload: scan.payload, client_scan_id: scan.client_scan_id, scanned_at: scan.scanned_at,
               kind: scan.kind, offline_result: scan.offline_result };
    }) });
    return call(API + "/scans:batch", { method: "POST", body: body, timeout: 20000, token: held }).then(function (reply) {
      setReachable(true);
      if (reply.status !== 200) {
        // The whole batch refused: a token unpaired before these scans, or a body it cannot read.
        if (reply.status === 401 && held === token) forget(TEXTS.unpaired);
        var message = problemText(reply.body);
        return refused(batch, batch.map(function () { return message; })).then(sendBatch);
      }
      var answers = reply.body.answers || [], byId = {};
      answers.forEach(function (answer) { if (answer && answer.client_scan_id) byId[answer.client_scan_id] = answer; });
      var good = [], bad = [], messages = [];
      batch.forEach(function (scan, index) { // one answer per item, in order, each naming its scan
        var answer = byId[scan.client_scan_id] || answers[index];
        if (!answer) return; // not answered: stays for the next round
        if (answer.result) {
          good.push(scan);
          if (answer.conflict && !answer.repeated) conflicts += 1;
        } else {
          bad.push(scan);
          messages.push(problemText(answer));
        }
      });
      if (!good.length && !bad.length) return null;
      return Promise.all([accepted(good), refused(bad, messages)]).then(sendBatch);
    }, function () { setReachable(false); });
  }

  // What the page says about the network and the queue --------------------------------------
  function banner(sending) {
    var lines = [];
    if (!reachable) lines.push(shiftMode ? TEXTS.shift_needs_network : snapshot || !token ? TEXTS.offline : TEXTS.no_snapshot);
    if (sending) lines.push(format(TEXTS.sending, { count: sending }));
    if (conflicts) lines.push(format(TEXTS.conflicts, { count: conflicts }));
    var node = $("banner");
    node.textContent = lines.join(" ");
    node.hidden = !lines.length;
    node.className = "banner" + (reachable ? "" : " offline");
    document.body.classList.toggle("is-offline", !reachable);
  }

  function status() {
    var node = $("sync");
    node.hidden = !token && !queue.length;
    node.dataset.waiting = String(queue.length);
    $("sync-waiting").textContent = format(TEXTS.waiting, { count: queue.length });
    $("sync-last").textContent = lastSync ? format(TEXTS.last_sync, { time: clock(lastSync) }) : TEXTS.never_synced;
  }

  // Deciding a scan ------------------------------------------------------------------------
  function offlinePerson(badge) {
    return { name: badge.n, latin_name: badge.l || "", category: badge.c, organisation: "", photo: false };
  }

  function decideHere(scan) {
    if (!snapshot) {
      return Promise.resolve({ result: "invalid", why: "", reason: TEXTS.no_snapshot, person: null, offline: true });
    }
    return CheckinDecide.decide(snapshot, scan.payload, scan.kind, Date.parse(scan.scanned_at)).then(function (decision) {
      scan.offline_result = decision.result;
      scan.decision = { counts: decision.counts, kind: decision.kind, badgeId: decision.badgeId };
      var saved = [enqueue(scan)];
      if (decision.counts) saved.push(note(scan.client_scan_id, decision.kind === "entry", decision.badgeId, null));
      return Promise.all(saved).then(function () {
        var badge = decision.badge;
        var reason = TEXTS.reasons[decision.why] || "";
        if (decision.why === "revoked" && badge && badge.r) reason += " " + badge.r;
        return { result: decision.result, why: decision.why, reason: reason, offline: true,
                 person: badge ? offlinePerson(badge) : null };
      });
    });
  }

  function sendNow(scan) {
    return call(API + "/scans", {
      method: "POST", body: JSON.stringify({ payload: scan.payload, client_scan_id: scan.client_scan_id,
                                             scanned_at: scan.scanned_at, kind: scan.kind })
    }).then(function (reply) {
      if (!reachable) { setReachable(true); flush(); }
      if (reply.status === 401) {
        if (scan.token === token) dropped(reply.body);
        return { result: "not_paired", why: "", reason: problemText(reply.body), person: null };
      }
      if (reply.status !== 200) return { result: "refused", why: "", reason: problemText(reply.body), person: null };
      var answer = reply.body;
      // What the server said of where this person is: this phone remembers it for offline.
      if (answer.person && !answer.repeated && ["admitted", "already_inside", "left"].indexOf(answer.result) >= 0) {
        note(scan.client_scan_id, answer.result !== "left", answer.person.badge_id, Date.now());
      }
      return answer;
    }, function () {
      setReachable(false);
      return decideHere(scan);
    });
  }

  function handle(payload) {
    payload = String(payload || "").trim();
    if (!payload) return Promise.resolve();
    if (payload.indexOf("/scan/?pair=") >= 0) return pairWith(payload.split("pair=")[1]);
    if (!token) return Promise.resolve();
    var problem = CheckinDecide.read(payload).problem;
    if (problem) { // not our code at all: refused here, never sent, never queued
      show({ result: problem === "not_a_badge" ? "not_a_badge" : "invalid", why: problem,
             reason: TEXTS.reasons[problem], person: null });
      return Promise.resolve();
    }
    if (shiftMode) return shiftScan(payload);
    var scan = { payload: payload, client_scan_id: newId(), scanned_at: new Date().toISOString(), kind: kind,
                 seq: nextSeq(), token: token, checkpoint: snapshot ? snapshot.checkpoint : null };
    var decided = !reachable || !navigator.onLine ? decideHere(scan) : sendNow(scan);
    return decided.then(show);
  }

  // Shift check-in: online only ------------------------------------------------------------
  function needsNetwork() {
    return { result: "needs_network", why: "", reason: TEXTS.shift_needs_network, person: null };
  }

  function shiftScan(payload) {
    if (!reachable || !navigator.onLine) { show(needsNetwork()); return Promise.resolve(); }
    var held = token;
    return call(API + "/shift-scans", { method: "POST", body: JSON.stringify({ payload: payload }) }).then(function (reply) {
      if (reply.status === 401) {
        if (held === token) dropped(reply.body);
        return show({ result: "not_paired", why: "", reason: problemText(reply.body), person: null });
      }
      if (reply.status !== 200) return show({ result: "refused", why: "", reason: problemText(reply.body), person: null });
      var answer = reply.body;
      show({ result: answer.result, why: "", reason: answer.reason, person: answer.person,
             shift: answer.shift ? answer.shift.label : "" });
    }, function () {
      setReachable(false);
      show(needsNetwork());
    });
  }

  function setShiftMode(on) {
    shiftMode = on;
    $("shift-mode").setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("shift-mode", on);
    banner();
    scanAgain();
  }

  // Scanning rights from a volunteer's shift ------------------------------------------------
  // The phone holds no token, or its shift token's window is over: ask for one. A paired phone
  // keeps its pairing.
  function askShiftRights() {
    if (!shiftRightsUrl || (token && (!shiftUntil || shiftUntil > Date.now()))) { showShiftRights(); return Promise.resolve(); }
    return fetch(shiftRightsUrl, { method: "POST", credentials: "same-origin",
                                   headers: { "X-CSRFToken": document.body.dataset.csrf, "Accept-Language": lang } })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (reply) {
        if (reply.status !== 200) {
          if (token && shiftUntil) forget("");
          pairingError(problemText(reply.body));
          return;
        }
        // By this phone's clock, however far off it is: the server counted the seconds left.
        shiftUntil = Date.now() + reply.body.seconds_left * 1000;
        localStorage.setItem(SHIFT_KEY, String(shiftUntil));
        localStorage.setItem(SHIFT_NOTE_KEY, reply.body.message);
        return useToken(reply.body.token).then(showShiftRights);
      }, function () { /* no network: the token held, if any, stays */ });
  }

  function showShiftRights() {
    var node = $("shift-rights");
    node.textContent = token && shiftUntil ? localStorage.getItem(SHIFT_NOTE_KEY) || "" : "";
    node.hidden = !node.textContent;
    clearTimeout(shiftTimer);
    if (token && shiftUntil) {
      shiftTimer = setTimeout(function () {
        forget(TEXTS.shift_over);
        askShiftRights();
      }, Math.min(Math.max(shiftUntil - Date.now() + 1000, 0), 2147483647));
    }
  }

  // The server no longer takes this phone's token: unpaired, replaced, or its shift is over.
  function dropped(body) {
    forget(shiftUntil ? problemText(body) : TEXTS.unpaired);
  }

  // One badge, one answer ------------------------------------------------------------------
  var sightings = {}; // camera: code → {counted, seen}
  var typed = { code: "", at: -Infinity }; // handheld scanner: the last code and when it came

  function cameraCounts(code, now) {
    Object.keys(sightings).forEach(function (seen) {
      if (now - sightings[seen].seen >= OUT_OF_VIEW_MS) delete sightings[seen];
    });
    var last = sightings[code];
    if (last) {
      var away = now - last.seen;
      last.seen = now;
      if (away < LOOKED_AWAY_MS || now - last.counted < RECOUNT_AFTER_MS) return false;
    }
    sightings[code] = { counted: now, seen: now };
    return true;
  }

  function wedgeCounts(code, now) {
    var again = code === typed.code && now - typed.at < WEDGE_REPEAT_MS;
    typed = { code: code, at: now };
    return !again;
  }

  var sameTimer = null;
  function sameBadge() {
    $("same-badge").hidden = false;
    clearTimeout(sameTimer);
    sameTimer = setTimeout(function () { $("same-badge").hidden = true; }, OUT_OF_VIEW_MS);
  }

  function scanAgain() {
    sightings = {};
    typed = { code: "", at: -Infinity };
    $("same-badge").hidden = true;
    focusWedge();
  }

  // The answer: the whole screen, a sound, a vibration ---------------------------------------
  var TONES = { admitted: "green", left: "blue", already_inside: "amber", checked_in: "green", checked_out: "blue",
                already_checked_in: "amber", already_checked_out: "amber" }; // any other answer is red
  var audio = null;
  function beep(tone) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = { green: [880], blue: [660, 990], amber: [660, 660], red: [220, 180] }[tone];
      notes.forEach(function (frequency, index) {
        var oscillator = audio.createOscillator(), gain = audio.createGain();
        oscillator.frequency.value = frequency;
        oscillator.type = tone === "red" ? "square" : "sine";
        gain.gain.value = 0.25;
        oscillator.connect(gain).connect(audio.destination);
        var start = audio.currentTime + index * 0.18;
        oscillator.start(start);
        oscillator.stop(start + (tone === "green" ? 0.15 : 0.14));
      });
    } catch (error) { /* no sound on this device */ }
  }

  function nameOf(person) {
    return english && person.latin_name ? person.latin_name : person.name;
  }

  var hideTimer = null;
  function show(answer) {
    var tone = TONES[answer.result] || "red";
    var box = $("answer");
    box.className = "answer " + tone + (answer.why === "not_inside" ? " caution" : "");
    box.dataset.result = answer.result;
    box.dataset.why = answer.why || "";
    $("answer-word").textContent = TEXTS.results[answer.result] || TEXTS.shift_results[answer.result] || answer.result;
    var person = answer.person;
    $("answer-name").textContent = person ? nameOf(person) : "";
    $("answer-who").textContent = answer.shift || (person ? [TEXTS.categories[person.category] || person.category,
                                                             person.organisation].filter(Boolean).join(" · ") : "");
    $("answer-reason").textContent = answer.reason || "";
    $("answer-note").textContent = answer.offline ? TEXTS.decided_here : answer.training || "";
    var photo = $("answer-photo");
    photo.hidden = true;
    if (person && person.photo && !answer.offline) {
      call(API + "/photos/" + person.badge_id, { raw: true }).then(function (response) {
        return response.ok ? response.blob() : null;
      }).then(function (blob) {
        if (blob && box.dataset.result === answer.result) { photo.src = URL.createObjectURL(blob); photo.hidden = false; }
      }).catch(function () {});
    }
    box.hidden = false;
    beep(tone);
    if (navigator.vibrate) navigator.vibrate({ green: 120, blue: [80, 60, 80], amber: [120, 80, 120] }[tone] || [400, 100, 400]);
    remember(answer, Date.now());
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { box.hidden = true; focusWedge(); }, tone === "red" ? 5000 : 2500);
  }

  function remember(answer, moment) {
    var item = document.createElement("li");
    item.className = "r-" + answer.result;
    var shiftWord = TEXTS.shift_results[answer.result];
    item.textContent = [clock(moment), answer.checkpoint, TEXTS.results[answer.result] || shiftWord || answer.result,
                        answer.person ? nameOf(answer.person) : "",
                        answer.result === "refused" || shiftWord ? answer.reason : ""]
      .filter(Boolean).join(" · ") + (answer.offline ? " ⋯" : "");
    var list = $("recent");
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 12) list.removeChild(list.lastChild);
  }

  // Pairing --------------------------------------------------------------------------------
  function pairWith(code) {
    code = decodeURIComponent(String(code || "").split("&")[0]);
    return call(API + "/pair", { method: "POST", token: null, body: JSON.stringify({ code: code }) }).then(function (reply) {
      if (reply.status !== 200) throw new Error("pairing");
      paired();
      return useToken(reply.body.token);
    }).catch(function () { pairingError(TEXTS.pair_failed); });
  }

  // A paired phone's token has no shift window.
  function paired() {
    shiftUntil = 0;
    localStorage.removeItem(SHIFT_KEY);
    showShiftRights();
  }

  // A new token: the scans queued with the old one keep it, and their checkpoint.
  function useToken(value) {
    token = value;
    localStorage.setItem(TOKEN_KEY, value);
    serverSnapshot = snapshot = null;
    return refreshSnapshot().then(function () {
      if (!snapshot) { forget(TEXTS.token_failed); return; }
      document.body.classList.remove("unpaired");
      $("pairing-error").hidden = true;
      $("forget").hidden = false;
      status();
      focusWedge();
      return flush();
    });
  }

  function pairingError(text) {
    var node = $("pairing-error");
    node.textContent = text;
    node.hidden = !text;
  }

  // The phone forgets its pairing; the queue stays, to be sent with the tokens it was made with.
  function forget(why) {
    token = null;
    shiftUntil = 0;
    localStorage.removeItem(SHIFT_KEY);
    localStorage.removeItem(SHIFT_NOTE_KEY);
    $("shift-rights").hidden = true;
    clearTimeout(shiftTimer);
    if (shiftMode) setShiftMode(false);
    serverSnapshot = snapshot = null;
    localStorage.removeItem(TOKEN_KEY);
    store("snapshot", "readwrite", function (s) { s.delete("current"); });
    document.body.classList.add("unpaired");
    $("forget").hidden = true;
    showCheckpoint();
    status();
    banner();
    pairingError(why || "");
  }

  function showCheckpoint() {
    $("checkpoint-code").textContent = snapshot ? snapshot.checkpoint.code : "—";
    $("checkpoint-name").textContent = snapshot ? snapshot.checkpoint.name : "";
    var both = snapshot && snapshot.rule.mode === "both";
    $("modes").hidden = !both;
    if (!both) setKind(snapshot && snapshot.rule.mode === "exit" ? "exit" : "entry");
  }

  function setKind(value) {
    kind = value;
    Array.prototype.forEach.call(document.querySelectorAll("#modes button"), function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.kind === value));
    });
    document.body.dataset.kind = value;
  }

  // The handheld scanner types into this field and presses Enter ----------------------------
  function focusWedge() {
    var active = document.activeElement;
    if (active && active !== document.body && active.id !== "wedge" && active.closest("form#token-form")) return;
    $("wedge").focus({ preventScroll: true });
  }

  $("wedge-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("wedge"), value = field.value.trim();
    field.value = "";
    if (!value) return;
    if (wedgeCounts(value, performance.now())) handle(value);
    else sameBadge();
  });
  $("wedge").addEventListener("blur", function () { setTimeout(focusWedge, 300); });
  $("answer").addEventListener("click", function () { $("answer").hidden = true; focusWedge(); });
  $("scan-again").addEventListener("click", scanAgain);
  $("answer-again").addEventListener("click", scanAgain); // and the answer's click hides it
  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token-input").value.trim();
    if (!value) return;
    paired();
    useToken(value);
  });
  $("forget").addEventListener("click", function () {
    if (!window.confirm(TEXTS.confirm_forget)) return;
    flush().then(function () {
      forget(queue.length ? format(TEXTS.kept, { count: queue.length }) : "");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("#modes button"), function (button) {
    button.addEventListener("click", function () {
      setKind(button.dataset.kind);
      scanAgain(); // the badge just let in may be the first to go out
    });
  });

  // The camera -----------------------------------------------------------------------------
  var video = $("video"), canvas = $("frame"), context = canvas.getContext("2d", { willReadFrequently: true });
  var lastFrame = 0;
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { $("camera-error").hidden = false; return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.play();
      $("camera-start").hidden = true;
      document.body.classList.add("camera-on");
      requestAnimationFrame(look);
    }).catch(function () { $("camera-error").hidden = false; });
  }
  function look() {
    requestAnimationFrame(look);
    var now = performance.now();
    if (now - lastFrame < 120 || video.readyState < 2) return;
    lastFrame = now;
    var scale = Math.min(1, 720 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (!code || !code.data) return;
    if (cameraCounts(code.data, now)) handle(code.data);
    else sameBadge();
  }
  $("camera-start").addEventListener("click", startCamera);
  $("shift-mode").addEventListener("click", function () { setShiftMode(!shiftMode); });

  // Starting up ----------------------------------------------------------------------------
  window.addEventListener("online", function () { setReachable(true); refreshSnapshot().then(flush); });
  window.addEventListener("offline", function () { setReachable(false); });
  setInterval(function () { if (navigator.onLine) refreshSnapshot().then(flush); }, SNAPSHOT_EVERY_MS);
  setInterval(function () {
    if (!navigator.onLine) return;
    if (!reachable) refreshSnapshot().then(flush);
    else flush();
  }, RETRY_EVERY_MS);

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/scan/sw.js", { scope: "/scan/" }).catch(function () {});

  var pairing = new URLSearchParams(location.search).get("pair");
  if (pairing) history.replaceState(null, "", location.pathname);
  Promise.all([
    store("snapshot", "readonly", function (s) { return s.get("current"); }),
    store("queue", "readonly", function (s) { return s.getAll(); }),
    store("presence", "readonly", function (s) { return s.getAll(); })
  ]).then(function (saved) {
    queue = saved[1].sort(bySeq);
    events = saved[2].sort(bySeq);
    if (saved[0] && token) {
      serverSnapshot = saved[0];
      rebuild();
      document.body.classList.remove("unpaired");
      $("forget").hidden = false;
      showCheckpoint();
    }
    status();
    if (pairing) return pairWith(pairing);
    return refreshSnapshot().then(function () {
      if (snapshot) { document.body.classList.remove("unpaired"); $("forget").hidden = false; }
      return flush();
    }).then(askShiftRights);
  }).then(function () {
    banner();
    status();
    focusWedge();
    if (token) startCamera();
  });

  window.scannerPage = { handle: handle, flush: flush }; // for a supervisor's console
})();
