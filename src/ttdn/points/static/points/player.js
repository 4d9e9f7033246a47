/* The screen player: pairs once, then rotates its playlist and polls the node every second for emergencies.
   Expiry is checked here too, against the node's clock (offset kept from the last answer), so expired material
   is never shown even when the node cannot be reached. */
(function () {
  "use strict";
  var body = document.body;
  var stage = document.getElementById("stage");
  var emergencyBox = document.getElementById("emergency");
  var ticker = document.getElementById("ticker");
  var device = window.PointsDevice({ version: "points-player/1", tokenKey: "points-token", stage: stage,
                                     onForget: forget });
  var el = device.el;
  var alive = device.alive;
  var list = null;
  var version = null;
  var cursor = 0;
  var langCursor = {};
  var slideTimer = null;
  var showing = { uid: "", lang: "", since: null, started: 0 };
  var emergencyKey = "";

  function forget() {
    list = null; version = null;
    clearTimeout(slideTimer);
    stage.replaceChildren();
    ticker.hidden = true;
    hideEmergency();
  }

  function loadPlaylist() {
    return device.request("GET", body.dataset.playlist).then(function (data) {
      device.syncClock(data);
      if (!data.paired) { device.showCode(data.code); list = null; return; }
      var first = list === null;
      list = data; version = data.version;
      renderTicker();
      if (first) { next(); }
    });
  }

  function finishPlay() {
    if (showing.uid) {
      device.addPlay({ uid: showing.uid, lang: showing.lang,
                   seconds: Math.round((Date.now() - showing.started) / 1000) });
    }
  }

  function next() {
    clearTimeout(slideTimer);
    if (!list) { return; }
    var items = list.items.filter(alive);
    finishPlay();
    if (!items.length) {
      showing = { uid: "", lang: "", since: null, started: 0 };
      stage.replaceChildren(el("div", body.getAttribute("lang"), "code", body.dataset.textEmpty));
      slideTimer = setTimeout(next, 5000);
      return;
    }
    cursor = cursor % items.length;
    var entry = items[cursor];
    // Several languages of one item in turn: each pass shows the next language.
    var i = (langCursor[entry.uid] || 0) % entry.variants.length;
    langCursor[entry.uid] = i + 1;
    if (i + 1 >= entry.variants.length) { cursor += 1; langCursor[entry.uid] = 0; }
    render(entry, entry.variants[i]);
    slideTimer = setTimeout(next, entry.duration * 1000);
  }

  function slide(entry, variant, cls) {
    var lang = variant.lang;
    var box = el("article", lang, "slide " + cls);
    box.dataset.uid = entry.uid;
    if (variant.media) {
      var media = el("div", lang, "media");
      var m;
      if (variant.media.type === "video") {
        m = el("video", lang); m.muted = true; m.autoplay = true; m.loop = true; m.playsInline = true;
      } else {
        m = el("img", lang); m.alt = variant.title;
      }
      m.src = variant.media.url;
      media.appendChild(m);
      box.appendChild(media);
    }
    var text = el("div", lang, "text");
    text.appendChild(el("h1", lang, "", variant.title));
    if (variant.summary) { text.appendChild(el("p", lang, "summary", variant.summary)); }
    if (variant.body) {
      // The body is the hub's sanitised HTML; shown as text only on a screen (no links to follow).
      var tmp = new DOMParser().parseFromString(variant.body, "text/html");
      text.appendChild(el("div", lang, "body", tmp.body.textContent));
    }
    box.appendChild(text);
    return box;
  }

  function render(entry, variant) {
    showing = { uid: entry.uid, lang: variant.lang, since: new Date(device.now()).toISOString(), started: Date.now() };
    stage.replaceChildren(slide(entry, variant, entry["class"]));
  }

  function renderTicker() {
    var notes = (list.ticker || []).filter(alive);
    if (!notes.length) { ticker.hidden = true; ticker.replaceChildren(); return; }
    ticker.replaceChildren();
    notes.forEach(function (entry) {
      var v = entry.variants[0];
      ticker.appendChild(el("span", v.lang, "", v.title + (v.summary ? " — " + v.summary : "") + "   •   "));
    });
    ticker.hidden = false;
  }

  function showEmergency(entries) {
    var live = entries.filter(alive);
    if (!live.length) { hideEmergency(); return; }
    var key = live.map(function (e) { return e.uid + ":" + e.version; }).join(",");
    if (key === emergencyKey) { return; }
    emergencyKey = key;
    var e = live[0];
    var v = e.variants[0];
    var lang = v.lang;
    emergencyBox.replaceChildren(el("div", body.getAttribute("lang"), "label", body.dataset.textEmergency));
    var box = slide(e, v, "emergency-slide");
    emergencyBox.appendChild(box);
    emergencyBox.setAttribute("lang", lang);
    emergencyBox.dataset.uid = e.uid;
    emergencyBox.hidden = false;
  }

  function hideEmergency() {
    emergencyKey = "";
    emergencyBox.hidden = true;
    emergencyBox.replaceChildren();
  }

  function poll() {
    if (!device.token) { return; }
    device.request("GET", body.dataset.alert).then(function (data) {
      device.syncClock(data);
      if (data.paired === false) { device.showCode(data.code); return; }
      showEmergency(data.emergency || []);
      if (data.version !== version) { loadPlaylist().catch(function () {}); }
    }).catch(function () {
      // Offline: keep showing what we have, but never what has expired meanwhile.
      if (list) { showEmergency(list.emergency || []); renderTicker(); }
    });
  }

  function heartbeat() {
    if (!list) { return; }
    device.heartbeat({ showing: showing.uid, language: showing.lang, since: showing.since, volume: null });
  }

  function boot() {
    device.start().then(loadPlaylist).catch(function () {}).then(function () {
      setInterval(poll, 1000);
      setInterval(heartbeat, 60000);
      // An expired item leaves the stage on its own even offline: next() skips it.
      setInterval(function () {
        if (list && showing.uid && !list.items.some(function (e) { return e.uid === showing.uid && alive(e); })) {
          next();
        }
      }, 1000);
    });
  }
  boot();
}());
