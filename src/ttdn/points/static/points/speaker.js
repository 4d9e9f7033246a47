/* The loudspeaker player (a browser on the node's box, or any IP player that speaks the same JSON): pairs once,
   keeps the day's slots, plays each at its time in its languages and volume, and interrupts everything for an
   emergency, played as many times as set, at full volume. Every play goes to the node's play log at once.
   Chromium on a player box runs with --autoplay-policy=no-user-gesture-required (nobody is there to click). */
(function () {
  "use strict";
  var body = document.body;
  var stage = document.getElementById("stage");
  var audio = document.getElementById("audio");
  var device = window.PointsDevice({ version: "points-speaker/1", tokenKey: "points-speaker-token",
                                     kind: "speaker", stage: stage, onForget: forget });
  var el = device.el;
  var alive = device.alive;
  var uiLang = device.uiLang;
  var programme = null;
  var played = {};  // slot id + start → true: each slot once
  var queue = [];
  var current = null;  // {entry, slot, volume, started, at, emergency}
  var interrupted = null;  // the slot's remaining queue while an emergency plays
  var emergencyKey = "";

  function forget() {
    programme = null; queue = []; interrupted = null;
    audio.pause();
  }

  function status() {
    stage.dataset.state = current ? (current.emergency ? "emergency" : "slot") : "idle";
    stage.dataset.uid = current ? current.entry.uid : "";
    stage.dataset.lang = current ? current.entry.lang : "";
    var box;
    if (current) {
      box = el("div", current.entry.lang, current.emergency ? "emergency-now" : "now");
      if (current.emergency) { box.appendChild(el("div", uiLang(), "label", body.dataset.textEmergency)); }
      box.appendChild(el("h1", current.entry.lang, "", current.entry.title));
    } else {
      box = el("div", uiLang(), "code", body.dataset.textIdle);
    }
    stage.replaceChildren(box);
  }

  function load() {
    return device.request("GET", body.dataset.programme).then(function (answer) {
      device.syncClock(answer);
      if (!answer.paired) { device.showCode(answer.code); programme = null; return; }
      var first = programme === null;
      programme = answer;
      if (first) { status(); }
    });
  }

  // ------------------------------------------------------------------------------------------ playing

  function finish() {
    if (!current) { return; }
    device.addPlay({ uid: current.entry.uid, lang: current.entry.lang, at: current.at, slot: current.slot,
                 volume: current.volume, emergency: current.emergency,
                 seconds: Math.round((Date.now() - current.started) / 1000) });
    current = null;
  }

  function play(entry, slot, volume, emergency) {
    current = { entry: entry, slot: slot, volume: volume, emergency: emergency, started: Date.now(),
                at: new Date(device.now()).toISOString() };
    audio.volume = volume / 100;
    audio.src = entry.url;
    status();
    audio.play().catch(function () { next(); });
  }

  function next() {
    finish();
    // Withdrawn or expired since the slot began: skipped (the programme is refreshed every half minute).
    while (queue.length && !alive(queue[0].entry)) { queue.shift(); }
    if (!queue.length) {
      if (interrupted) { queue = interrupted; interrupted = null; return next(); }
      status();
      heartbeat();
      return;
    }
    var step = queue.shift();
    play(step.entry, step.slot, step.volume, step.emergency);
  }

  audio.addEventListener("ended", next);
  audio.addEventListener("error", function () { if (current) { next(); } });

  function due() {
    if (!programme || current) { return; }
    var now = device.now();
    programme.slots.forEach(function (slot) {
      var key = slot.id + "@" + slot.start;
      var at = Date.parse(slot.start);
      if (played[key] || current || now < at || now > at + programme.grace * 1000) { return; }
      played[key] = true;
      queue = slot.entries.filter(alive).map(function (e) {
        return { entry: e, slot: slot.id, volume: slot.volume, emergency: false };
      });
      next();
    });
  }

  function emergency(entries) {
    var live = entries.filter(alive).filter(function (e) {
      return e.variants.some(function (v) { return v.audio || v.speech; });
    });
    var key = live.map(function (e) { return e.uid + ":" + e.version; }).join(",");
    if (key === emergencyKey) { return; }
    emergencyKey = key;
    if (!live.length) {
      // Cancelled at the hub or expired: stop at once and go back to the slot that was interrupted.
      if (current && current.emergency) { audio.pause(); queue = []; next(); }
      return;
    }
    if (!interrupted) {
      interrupted = queue;
      if (current && !current.emergency) { interrupted = [{ entry: current.entry, slot: current.slot,
                                                             volume: current.volume, emergency: false }].concat(queue); }
    }
    audio.pause();
    finish();
    queue = [];
    live.forEach(function (e) {
      // A recording first; otherwise the text read aloud by the node's speech engine.
      var v = e.variants.filter(function (x) { return x.audio; })[0] || e.variants.filter(function (x) { return x.speech; })[0];
      var entry = { uid: e.uid, lang: v.lang, title: v.title, url: v.audio || v.speech, until: e.until };
      for (var i = 0; i < (e.repeat || 3); i += 1) { queue.push({ entry: entry, slot: null, volume: 100, emergency: true }); }
    });
    next();
  }

  function poll() {
    if (!device.token || !programme) { return; }
    device.request("GET", body.dataset.alert).then(function (answer) {
      if (answer.paired === false) { device.showCode(answer.code); programme = null; return; }
      emergency(answer.emergency || []);
    }).catch(function () {});
  }

  function heartbeat() {
    if (!programme) { return; }
    device.heartbeat({ showing: current ? current.entry.uid : "", language: current ? current.entry.lang : "",
                       since: current ? current.at : null, volume: current ? current.volume : null });
  }

  device.start().then(load).catch(function () {}).then(function () {
    setInterval(function () { load().catch(function () {}); }, 30000);
    setInterval(function () { if (!programme) { load().catch(function () {}); } }, 3000);
    setInterval(due, 500);
    setInterval(poll, 2000);
    setInterval(heartbeat, 60000);
  });
}());
