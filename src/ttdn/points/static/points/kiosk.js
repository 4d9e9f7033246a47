/* The touch kiosk: pairs once, keeps the node's catalogue in memory (browsing and search work with the node's
   link to the hub down), and goes back to its start screen after a while untouched, forgetting the visitor:
   nothing is stored about them, the page state is rebuilt from scratch. Emergencies interrupt it as they do
   a screen. Every element carries `lang`. */
(function () {
  "use strict";
  var SCALES = [1, 1.25, 1.5, 1.8];
  var body = document.body;
  var root = document.getElementById("kiosk");
  var emergencyBox = document.getElementById("emergency");
  var device = window.PointsDevice({ version: "points-kiosk/1", tokenKey: "points-kiosk-token", kind: "kiosk",
                                     stage: root, onForget: forget });
  var el = device.el;
  var alive = device.alive;
  var uiLang = device.uiLang;
  var data = null;
  var visit = null;  // everything about the current visitor; null on the start screen
  var idleTimer = null;
  var emergencyKey = "";

  function button(lang, cls, text, action, testid) {
    var b = el("button", lang, cls, text);
    b.type = "button";
    if (testid) { b.dataset.testid = testid; }
    b.addEventListener("click", action);
    return b;
  }

  function forget() {
    data = null; visit = null;
    root.replaceChildren();
  }

  function load() {
    return device.request("GET", body.dataset.catalogue).then(function (answer) {
      device.syncClock(answer);
      if (!answer.paired) { device.showCode(answer.code); data = null; return; }
      var first = data === null;
      data = answer;
      if (first || !visit) { renderStart(); }
    });
  }

  function language(tag) {
    return data.languages.filter(function (l) { return l.tag === tag; })[0];
  }

  // ------------------------------------------------------------------------------------------- screens

  function renderStart() {
    stopMedia();
    finishPlay();
    visit = null;
    root.style.removeProperty("--scale");
    root.setAttribute("lang", uiLang());
    var page = el("div", uiLang(), "start");
    page.dataset.testid = "kiosk-start";
    var grid = el("div", uiLang(), "languages");
    data.languages.forEach(function (l) {
      var b = button(l.tag, "language", l.name, function () { choose(l.tag); }, "lang-" + l.tag);
      b.appendChild(el("small", l.label_lang, "", l.labels.start));
      grid.appendChild(b);
    });
    page.appendChild(grid);
    root.replaceChildren(page);
    window.scrollTo(0, 0);
  }

  function choose(tag) {
    var l = language(tag);
    visit = { lang: tag, labels: l.labels, labelLang: l.label_lang, keyboard: l.keyboard, scale: 0, query: "",
              opened: null };
    root.setAttribute("lang", tag);
    renderList(null);
  }

  function bar(withBack) {
    var L = visit.labels, ll = visit.labelLang;
    var nav = el("nav", ll, "bar");
    nav.appendChild(button(ll, "home", L.home, renderStart, "kiosk-home"));
    if (withBack) { nav.appendChild(button(ll, "back", L.back, function () { renderList(visit.topic); }, "kiosk-back")); }
    nav.appendChild(button(ll, "search", L.search, renderSearch, "kiosk-search"));
    nav.appendChild(button(ll, "larger", L.larger, function () {
      visit.scale = (visit.scale + 1) % SCALES.length;
      root.style.setProperty("--scale", String(SCALES[visit.scale]));
    }, "kiosk-larger"));
    return nav;
  }

  function itemsIn(topic) {
    return data.items.filter(function (it) {
      return alive(it) && it.variants[visit.lang] && (!topic || it.topics.indexOf(topic) >= 0);
    });
  }

  function topicName(t) {
    // Topic names exist in Vietnamese and English: Vietnamese for Vietnamese and minority visitors.
    return visit.labelLang === "vi" ? { text: t.vi, lang: "vi" } : { text: t.en, lang: "en" };
  }

  function card(it) {
    var v = it.variants[visit.lang];
    var b = button(visit.lang, "card", "", function () { openItem(it.uid); }, "item-" + it.uid);
    b.appendChild(el("span", visit.lang, "title", v.title));
    if (v.summary) { b.appendChild(el("span", visit.lang, "summary", v.summary)); }
    return b;
  }

  function renderList(topic) {
    stopMedia();
    finishPlay();
    visit.topic = topic;
    var page = el("div", visit.lang, "list");
    page.appendChild(bar(false));
    var topics = el("div", visit.labelLang, "topics");
    topics.appendChild(button(visit.labelLang, topic ? "topic" : "topic current", visit.labels.all,
                              function () { renderList(null); }, "topic-all"));
    data.topics.forEach(function (t) {
      if (!itemsIn(t.code).length) { return; }
      var name = topicName(t);
      topics.appendChild(button(name.lang, t.code === topic ? "topic current" : "topic", name.text,
                                function () { renderList(t.code); }, "topic-" + t.code));
    });
    page.appendChild(topics);
    var list = el("div", visit.lang, "cards");
    var shown = itemsIn(topic);
    if (!shown.length) { list.appendChild(el("p", visit.labelLang, "empty", visit.labels.empty)); }
    shown.forEach(function (it) { list.appendChild(card(it)); });
    page.appendChild(list);
    root.replaceChildren(page);
    window.scrollTo(0, 0);
  }

  function openItem(uid) {
    var it = data.items.filter(function (x) { return x.uid === uid; })[0];
    if (!it || !alive(it) || !it.variants[visit.lang]) { renderList(visit.topic); return; }
    var v = it.variants[visit.lang];
    finishPlay();
    visit.opened = { uid: uid, since: new Date(device.now()).toISOString(), started: Date.now() };
    var page = el("article", visit.lang, "item");
    page.dataset.uid = uid;
    page.appendChild(bar(true));
    page.appendChild(el("h1", visit.lang, "", v.title));
    if (v.summary) { page.appendChild(el("p", visit.lang, "summary", v.summary)); }
    v.media.forEach(function (m) {
      var node;
      if (m.type === "image") { node = el("img", visit.lang); node.alt = v.title; }
      else if (m.type === "video") { node = el("video", visit.lang); node.controls = true; node.playsInline = true; }
      else { node = el("audio", visit.lang); node.controls = true; }
      node.preload = "metadata";
      node.src = m.url;
      var box = el("div", visit.lang, "media " + m.type);
      box.appendChild(node);
      page.appendChild(box);
    });
    v.text.forEach(function (p) { page.appendChild(el("p", visit.lang, "text", p)); });
    root.replaceChildren(page);
    window.scrollTo(0, 0);
  }

  function fold(text) {
    // Latin letters without their marks (a search for "bien gioi" finds "biên giới"); other scripts as they are.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function renderSearch() {
    stopMedia();
    finishPlay();
    visit.query = "";
    var L = visit.labels, ll = visit.labelLang;
    var page = el("div", visit.lang, "search");
    page.appendChild(bar(true));
    var field = el("output", visit.lang, "query");
    field.dataset.testid = "kiosk-query";
    page.appendChild(field);
    var keys = el("div", visit.lang, "keyboard");
    keys.dataset.testid = "kiosk-keyboard";
    var results = el("div", visit.lang, "cards");
    function update() {
      field.textContent = visit.query;
      results.replaceChildren();
      var q = fold(visit.query.trim());
      if (!q) { return; }
      results.appendChild(el("h2", ll, "", L.results));
      itemsIn(null).forEach(function (it) {
        var v = it.variants[visit.lang];
        if (fold(v.title + " " + v.summary + " " + v.text.join(" ")).indexOf(q) >= 0) { results.appendChild(card(it)); }
      });
    }
    visit.keyboard.forEach(function (k) {
      // A combining vowel or tone mark is shown on a dotted circle, as keyboards do.
      var shown = /\p{M}/u.test(k) ? "\u25cc" + k : k;
      keys.appendChild(button(visit.lang, "key", shown, function () { visit.query += k; update(); }));
    });
    keys.appendChild(button(ll, "key wide", L.space, function () { visit.query += " "; update(); }, "key-space"));
    keys.appendChild(button(visit.lang, "key", "⌫", function () {
      visit.query = Array.from(visit.query).slice(0, -1).join(""); update();
    }, "key-backspace"));
    keys.appendChild(button(ll, "key wide", L.clear, function () { visit.query = ""; update(); }, "key-clear"));
    page.appendChild(keys);
    page.appendChild(results);
    root.replaceChildren(page);
  }

  function stopMedia() {
    root.querySelectorAll("audio, video").forEach(function (m) { m.pause(); m.removeAttribute("src"); m.load(); });
  }

  function playing() {
    return Array.prototype.some.call(root.querySelectorAll("audio, video"), function (m) { return !m.paused && !m.ended; });
  }

  function finishPlay() {
    if (visit && visit.opened) {
      device.addPlay({ uid: visit.opened.uid, lang: visit.lang,
                   seconds: Math.round((Date.now() - visit.opened.started) / 1000) });
      visit.opened = null;
    }
  }

  // ---------------------------------------------------------------------------- idle, alerts, reports

  function touched() {
    clearTimeout(idleTimer);
    if (!data) { return; }
    idleTimer = setTimeout(function idle() {
      if (visit && playing()) { idleTimer = setTimeout(idle, 5000); return; }  // someone is watching
      if (visit) { renderStart(); }
    }, (data.idle || 90) * 1000);
  }

  function showEmergency(entries) {
    var live = entries.filter(alive);
    if (!live.length) { emergencyKey = ""; emergencyBox.hidden = true; emergencyBox.replaceChildren(); return; }
    var key = live.map(function (e) { return e.uid + ":" + e.version; }).join(",");
    if (key === emergencyKey) { return; }
    emergencyKey = key;
    stopMedia();
    var e = live[0];
    var wanted = visit ? visit.lang : "";
    var v = e.variants.filter(function (x) { return x.lang === wanted; })[0] || e.variants[0];
    emergencyBox.replaceChildren(el("div", uiLang(), "label", body.dataset.textEmergency));
    emergencyBox.appendChild(el("h1", v.lang, "", v.title));
    if (v.summary) { emergencyBox.appendChild(el("p", v.lang, "summary", v.summary)); }
    emergencyBox.setAttribute("lang", v.lang);
    emergencyBox.hidden = false;
  }

  function poll() {
    if (!device.token || !data) { return; }
    device.request("GET", body.dataset.alert).then(function (answer) {
      device.syncClock(answer);
      if (answer.paired === false) { device.showCode(answer.code); data = null; return; }
      showEmergency(answer.emergency || []);
    }).catch(function () {});
  }

  function heartbeat() {
    if (!data) { return; }
    var opened = visit && visit.opened;
    device.heartbeat({ showing: opened ? opened.uid : "", language: opened ? visit.lang : "",
                       since: opened ? opened.since : null, volume: null });
  }

  function refresh() {
    // The catalogue follows the node: a withdrawn item leaves the kiosk, even from under a visitor's eyes.
    load().then(function () {
      if (visit && visit.opened && !data.items.some(function (x) { return x.uid === visit.opened.uid && alive(x); })) {
        renderList(visit.topic);
      }
    }).catch(function () {});
  }

  document.addEventListener("pointerdown", touched, true);
  document.addEventListener("keydown", touched, true);
  document.addEventListener("click", touched, true);
  device.start().then(load).catch(function () {}).then(function () {
    setInterval(function () { if (!data) { load().catch(function () {}); } }, 3000);
    setInterval(poll, 2000);
    setInterval(heartbeat, 60000);
    setInterval(refresh, 30000);
  });
}());
