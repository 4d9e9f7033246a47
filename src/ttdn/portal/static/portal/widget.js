/* Optional: tells the embedding page the widget's height, so its iframe can fit the list. */
(function () {
  function send() {
    if (window.parent !== window) {
      window.parent.postMessage({ttdnWidgetHeight: document.documentElement.scrollHeight}, "*");
    }
  }
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
})();
