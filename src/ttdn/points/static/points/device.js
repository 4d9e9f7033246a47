/* What the screen player, the touch kiosk and the loudspeaker player share: the device's token (kept in the
   browser), pairing by a code shown on the device, requests to the node (the token in a header, never a cookie;
   a 401 means the pairing was revoked: forget the token and ask for a new code), the node's clock, and the
   heartbeat with its buffer of plays (kept for the next heartbeat when the node cannot be reached).
   Loaded before the page's own script (both deferred, in order). */
(function () {
  "use strict";
  var MAX_PLAYS_SENT = 1000;  // the node's limit per heartbeat
  var MAX_LOGGED_PLAYS = 5000;  // a loudspeaker's plays kept for the log while the node is away (months of slots)
  var MAX_PLAY_COUNT = 100000;  // the node's limit for one entry's count

  function el(tag, lang, cls, text) {
    var node = document.createElement(tag);
    node.setAttribute("lang", lang);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* options: version (the player's version string), tokenKey (its localStorage key), kind (sent when asking for
     a code; none: a screen), stage (where the pairing code is shown), onForget (drop the page's state). */
  window.PointsDevice = function (options) {
    var body = document.body;
    var device = { token: localStorage.getItem(options.tokenKey), clockOffset: 0, plays: [], el: el };

    device.now = function () { return Date.now() + device.clockOffset; };
    device.alive = function (entry) { return !entry.until || Date.parse(entry.until) > device.now(); };
    device.uiLang = function () { return body.getAttribute("lang"); };
    device.syncClock = function (answer) {
      if (answer && answer.now) { device.clockOffset = Date.parse(answer.now) - Date.now(); }
    };

    device.request = function (method, url, payload) {
      var headers = { "Accept": "application/json" };
      if (device.token) { headers["X-Points-Token"] = device.token; }
      if (payload !== undefined) { headers["Content-Type"] = "application/json"; }
      return fetch(url, { method: method, headers: headers, cache: "no-store", credentials: "omit",
                          body: payload === undefined ? undefined : JSON.stringify(payload) })
        .then(function (r) {
          if (r.status === 401) { device.forget(); throw new Error("revoked"); }
          // The node busy or restarting: a failure like a dropped link, so a heartbeat's plays go back into the
          // buffer. A 4xx refusal would be refused again: its answer is returned as it is.
          if (r.status >= 500 || r.status === 429) { throw new Error("unavailable " + r.status); }
          return r.json();
        });
    };

    device.forget = function () {
      localStorage.removeItem(options.tokenKey);
      device.token = null;
      if (options.onForget) { options.onForget(); }
      // A revoked device asks for a new code at once: it must be paired again to show or play anything.
      device.start().catch(function () {});
    };

    device.showCode = function (code) {
      var box = el("div", device.uiLang(), "code", body.dataset.textCode);
      box.appendChild(el("strong", device.uiLang(), "", code));
      box.dataset.testid = "pairing-code";
      options.stage.replaceChildren(box);
    };

    device.start = function () {
      if (device.token) { return Promise.resolve(); }
      return device.request("POST", body.dataset.start, options.kind ? { kind: options.kind } : {})
        .then(function (answer) {
          device.token = answer.token;
          localStorage.setItem(options.tokenKey, device.token);
          device.showCode(answer.code);
        });
    };

    /* Every minute: what the device shows or plays (showing, language, since, volume) and the plays since the
       last heartbeat; those go back into the buffer if the node cannot be reached. */
    device.heartbeat = function (state) {
      if (!device.token) { return Promise.resolve(); }
      // At most what the node takes in one heartbeat (services.PLAYS_PER_HEARTBEAT); the rest goes next time.
      var sent = device.plays.slice(0, MAX_PLAYS_SENT);
      device.plays = device.plays.slice(MAX_PLAYS_SENT);
      var payload = { version: options.version, plays: sent };
      Object.keys(state).forEach(function (k) { payload[k] = state[k]; });
      return device.request("POST", body.dataset.heartbeat, payload)
        .catch(function () { sent.forEach(device.addPlay); });
    };

    /* A play for the next heartbeat. A screen's or kiosk's plays of one item and language are added up in one
       entry (count, seconds), so that the buffer stays the size of the playlist however long the node is out of
       reach ("runs for weeks, memory flat"); a loudspeaker's play (with its start, for the play log) stays whole,
       the oldest dropped beyond MAX_LOGGED_PLAYS. */
    device.addPlay = function (play) {
      if (play.at) {
        device.plays.push(play);
        var logged = device.plays.filter(function (p) { return p.at; });
        if (logged.length > MAX_LOGGED_PLAYS) { device.plays.splice(device.plays.indexOf(logged[0]), 1); }
        return;
      }
      var same = null;
      for (var i = 0; i < device.plays.length; i += 1) {
        var p = device.plays[i];
        if (!p.at && p.uid === play.uid && p.lang === play.lang) { same = p; break; }
      }
      if (same && (same.count || 1) + (play.count || 1) <= MAX_PLAY_COUNT) {
        same.count = (same.count || 1) + (play.count || 1);
        same.seconds += play.seconds;
      } else {
        device.plays.push({ uid: play.uid, lang: play.lang, seconds: play.seconds, count: play.count || 1 });
      }
    };

    return device;
  };
}());
