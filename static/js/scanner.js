/* The volunteer's scanner: camera (jsQR) or handheld scanner (keyboard wedge), a full-screen
 * answer with sound and vibration, and offline without asking: when the server cannot be
 * reached the page decides with CheckinDecide on its snapshot, queues the scan in IndexedDB and
 * sends the queue when the network returns. */
(function () {
  "use strict";

  var TEXTS = JSON.parse(document.getElementById("texts").textContent);
  var API = "/api/v1/checkin";
  var TOKEN_KEY = "checkin.device-token";
  var ONLINE_TIMEOUT_MS = 2500;
  var SNAPSHOT_EVERY_MS = 60000;
  var SAME_CODE_PAUSE_MS = 2500; // the camera sees one badge many times a second
  var GREEN = ["admitted", "left"], AMBER = ["already_inside"];

  var token = localStorage.getItem(TOKEN_KEY);
  var snapshot = null;
  var kind = "entry";
  var reachable = navigator.onLine;
  var lastCode = "", lastCodeAt = 0;
  var flushing = false;
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

  // IndexedDB: the snapshot, and the queue of scans decided offline ------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open("checkin", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("snapshot");
      open.result.createObjectStore("queue", { keyPath: "client_scan_id" });
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

  // In the order they were scanned: an exit sent before its entry would leave the wrong person inside.
  function queued() {
    return store("queue", "readonly", function (s) { return s.getAll(); }).then(function (scans) {
      return scans.sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  // Talking to the server ------------------------------------------------------------------
  function call(path, options) {
    options = options || {};
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, options.timeout || ONLINE_TIMEOUT_MS);
    var headers = { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang };
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(path, { method: options.method || "GET", headers: headers, body: options.body, signal: controller.signal })
      .finally(function () { clearTimeout(timer); })
      .then(function (response) {
        if (response.status === 401 && token) { forget(TEXTS.unpaired); throw new Error("unpaired"); }
        if (response.status >= 500) throw new Error("server " + response.status);
        return response;
      });
  }

  function setReachable(value) {
    reachable = value;
    banner();
  }

  function refreshSnapshot() {
    if (!token) return Promise.resolve();
    return call(API + "/snapshot", { timeout: 15000 }).then(function (response) {
      if (!response.ok) return;
      return response.json().then(function (fresh) {
        return queued().then(function (waiting) {
          // Scans decided offline and not yet sent still count on this phone.
          waiting.forEach(function (scan) { if (scan.decision) CheckinDecide.apply(fresh, scan.decision); });
          snapshot = fresh;
          showCheckpoint();
          setReachable(true);
          return store("snapshot", "readwrite", function (s) { s.put(fresh, "current"); });
        });
      });
    }).catch(function () { setReachable(false); });
  }

  function flush() {
    if (!token || flushing) return Promise.resolve();
    return queued().then(function (waiting) {
      if (!waiting.length) return;
      flushing = true;
      banner(waiting.length);
      var batch = waiting.slice(0, 200);
      var body = JSON.stringify({ scans: batch.map(function (scan) {
        return { payload: scan.payload, client_scan_id: scan.client_scan_id, scanned_at: scan.scanned_at,
                 kind: scan.kind, offline_result: scan.offline_result };
      }) });
      return call(API + "/scans:batch", { method: "POST", body: body, timeout: 20000 }).then(function (response) {
        if (!response.ok) throw new Error("batch " + response.status);
        return response.json();
      }).then(function (answer) {
        answer.answers.forEach(function (a) { if (a.conflict && !a.repeated) conflicts += 1; });
        return store("queue", "readwrite", function (s) {
          batch.forEach(function (scan) { s.delete(scan.client_scan_id); });
        });
      }).then(function () {
        flushing = false;
        setReachable(true);
        return flush();
      }, function () {
        flushing = false;
        setReachable(false);
      });
    });
  }

  // The banner: offline, waiting scans, conflicts --------------------------------------------
  function banner(sending) {
    queued().then(function (waiting) {
      var lines = [];
      if (!reachable) lines.push(snapshot ? TEXTS.offline : TEXTS.no_snapshot);
      if (sending) lines.push(format(TEXTS.sending, { count: sending }));
      else if (waiting.length) lines.push(format(TEXTS.waiting, { count: waiting.length }));
      if (conflicts) lines.push(format(TEXTS.conflicts, { count: conflicts }));
      var node = $("banner");
      node.textContent = lines.join(" ");
      node.hidden = !lines.length;
      node.className = "banner" + (reachable ? "" : " offline");
      document.body.classList.toggle("is-offline", !reachable);
    });
  }

  // Deciding a scan ------------------------------------------------------------------------
  function decideHere(scan) {
    if (!snapshot) {
      return Promise.resolve({ result: "invalid", why: "", reason: TEXTS.no_snapshot, person: null, offline: true });
    }
    return CheckinDecide.decide(snapshot, scan.payload, scan.kind, Date.parse(scan.scanned_at)).then(function (decision) {
      CheckinDecide.apply(snapshot, decision);
      scan.offline_result = decision.result;
      scan.decision = decision;
      return store("queue", "readwrite", function (s) { s.put(scan); }).then(function () {
        banner();
        var badge = decision.badge;
        var reason = TEXTS.reasons[decision.why] || "";
        if (decision.why === "revoked" && badge && badge.r) reason += " " + badge.r;
        return { result: decision.result, why: decision.why, reason: reason, offline: true,
                 person: badge ? { name: badge.n, category: badge.c, organisation: "", photo: false } : null };
      });
    });
  }

  function handle(payload) {
    payload = String(payload || "").trim();
    if (!payload) return Promise.resolve();
    if (payload.indexOf("/scan/?pair=") >= 0) return pairWith(payload.split("pair=")[1]);
    var now = Date.now();
    if (payload === lastCode && now - lastCodeAt < SAME_CODE_PAUSE_MS) return Promise.resolve();
    lastCode = payload;
    lastCodeAt = now;
    if (!token) return Promise.resolve();
    var scan = { payload: payload, client_scan_id: newId(), scanned_at: new Date(now).toISOString(), kind: kind,
                 seq: now * 1000 + (sequence++ % 1000) };
    var decided = !reachable || !navigator.onLine ? decideHere(scan) : call(API + "/scans", {
      method: "POST", body: JSON.stringify({ payload: scan.payload, client_scan_id: scan.client_scan_id,
                                             scanned_at: scan.scanned_at, kind: scan.kind })
    }).then(function (response) {
      if (response.status === 401) throw new Error("unpaired");
      if (!response.ok) throw new Error("scan " + response.status);
      return response.json();
    }).then(function (answer) {
      if (snapshot && answer.person && !answer.repeated) {
        CheckinDecide.apply(snapshot, { counts: answer.result === "admitted" || answer.result === "left",
                                        kind: answer.result === "left" ? "exit" : "entry", badgeId: answer.person.badge_id });
      }
      if (!reachable) { setReachable(true); flush(); }
      return answer;
    }, function (error) {
      if (error.message === "unpaired") return null;
      setReachable(false);
      return decideHere(scan);
    });
    return decided.then(function (answer) { if (answer) show(answer); });
  }

  // The answer: the whole screen, a sound, a vibration ---------------------------------------
  var audio = null;
  function beep(tone) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = { green: [880], amber: [660, 660], red: [220, 180] }[tone];
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

  var hideTimer = null;
  function show(answer) {
    var tone = GREEN.indexOf(answer.result) >= 0 ? "green" : AMBER.indexOf(answer.result) >= 0 ? "amber" : "red";
    var box = $("answer");
    box.className = "answer " + tone;
    box.dataset.result = answer.result;
    $("answer-word").textContent = TEXTS.results[answer.result] || answer.result;
    var person = answer.person;
    $("answer-name").textContent = person ? person.name : "";
    $("answer-who").textContent = person ? [TEXTS.categories[person.category] || person.category, person.organisation]
      .filter(Boolean).join(" · ") : "";
    $("answer-reason").textContent = answer.reason || "";
    $("answer-note").textContent = answer.offline ? TEXTS.decided_here : "";
    var photo = $("answer-photo");
    photo.hidden = true;
    if (person && person.photo && !answer.offline) {
      call(API + "/photos/" + person.badge_id).then(function (response) {
        return response.ok ? response.blob() : null;
      }).then(function (blob) {
        if (blob && box.dataset.result === answer.result) { photo.src = URL.createObjectURL(blob); photo.hidden = false; }
      }).catch(function () {});
    }
    box.hidden = false;
    beep(tone);
    if (navigator.vibrate) navigator.vibrate(tone === "green" ? 120 : tone === "amber" ? [120, 80, 120] : [400, 100, 400]);
    remember(answer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { box.hidden = true; focusWedge(); }, tone === "red" ? 5000 : 2500);
  }

  function remember(answer) {
    var item = document.createElement("li");
    item.className = "r-" + answer.result;
    var clock = new Date().toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    item.textContent = clock + " · " + (TEXTS.results[answer.result] || answer.result) +
      (answer.person ? " · " + answer.person.name : "") + (answer.offline ? " ⋯" : "");
    var list = $("recent");
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 12) list.removeChild(list.lastChild);
  }

  // Pairing --------------------------------------------------------------------------------
  function pairWith(code) {
    code = decodeURIComponent(String(code || "").split("&")[0]);
    return fetch(API + "/pair", { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify({ code: code }) })
      .then(function (response) {
        if (!response.ok) throw new Error("pairing");
        return response.json();
      }).then(function (paired) {
        useToken(paired.token);
      }).catch(function () { pairingError(TEXTS.pair_failed); });
  }

  function useToken(value) {
    token = value;
    localStorage.setItem(TOKEN_KEY, value);
    return refreshSnapshot().then(function () {
      if (!snapshot) { forget(TEXTS.token_failed); return; }
      document.body.classList.remove("unpaired");
      $("forget").hidden = false;
      focusWedge();
    });
  }

  function pairingError(text) {
    var node = $("pairing-error");
    node.textContent = text;
    node.hidden = false;
  }

  function forget(why) {
    token = null;
    snapshot = null;
    localStorage.removeItem(TOKEN_KEY);
    store("snapshot", "readwrite", function (s) { s.delete("current"); });
    document.body.classList.add("unpaired");
    $("forget").hidden = true;
    showCheckpoint();
    if (why) pairingError(why);
  }

  function showCheckpoint() {
    $("checkpoint-code").textContent = snapshot ? snapshot.checkpoint.code : "—";
    $("checkpoint-name").textContent = snapshot ? snapshot.checkpoint.name : "";
    var both = snapshot && snapshot.rule.mode === "both";
    $("modes").hidden = !both;
    if (!both) kind = "entry";
  }

  // The handheld scanner types into this field and presses Enter ----------------------------
  function focusWedge() {
    var active = document.activeElement;
    if (active && active !== document.body && active.id !== "wedge" && active.closest("form#token-form")) return;
    $("wedge").focus({ preventScroll: true });
  }

  $("wedge-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("wedge"), value = field.value;
    field.value = "";
    lastCode = ""; // a deliberate scan is never swallowed as a repeat
    handle(value);
  });
  $("wedge").addEventListener("blur", function () { setTimeout(focusWedge, 300); });
  $("answer").addEventListener("click", function () { $("answer").hidden = true; focusWedge(); });
  $("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token-input").value.trim();
    if (value) useToken(value);
  });
  $("forget").addEventListener("click", function () {
    if (!window.confirm(TEXTS.confirm_forget)) return;
    flush().finally(function () { forget(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("#modes button"), function (button) {
    button.addEventListener("click", function () {
      kind = button.dataset.kind;
      Array.prototype.forEach.call(document.querySelectorAll("#modes button"), function (other) {
        other.setAttribute("aria-pressed", String(other === button));
      });
      document.body.dataset.kind = kind;
      focusWedge();
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
  function look(now) {
    requestAnimationFrame(look);
    if (now - lastFrame < 120 || video.readyState < 2) return;
    lastFrame = now;
    var scale = Math.min(1, 720 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (code && code.data) handle(code.data);
  }
  $("camera-start").addEventListener("click", startCamera);

  // Starting up ----------------------------------------------------------------------------
  window.addEventListener("online", function () { setReachable(true); refreshSnapshot().then(flush); });
  window.addEventListener("offline", function () { setReachable(false); });
  setInterval(function () { if (navigator.onLine) refreshSnapshot().then(flush); }, SNAPSHOT_EVERY_MS);
  setInterval(function () { if (navigator.onLine && !reachable) refreshSnapshot().then(flush); }, 10000);

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/scan/sw.js", { scope: "/scan/" }).catch(function () {});

  var pairing = new URLSearchParams(location.search).get("pair");
  if (pairing) history.replaceState(null, "", location.pathname);
  store("snapshot", "readonly", function (s) { return s.get("current"); }).then(function (saved) {
    if (saved && token) { snapshot = saved; document.body.classList.remove("unpaired"); $("forget").hidden = false; showCheckpoint(); }
    if (pairing) return pairWith(pairing);
    if (token) return refreshSnapshot().then(function () { if (snapshot) document.body.classList.remove("unpaired"); return flush(); });
  }).then(function () {
    banner();
    focusWedge();
    if (token) startCamera();
  });

  window.scannerPage = { handle: handle, flush: flush }; // for a supervisor's console
})();
