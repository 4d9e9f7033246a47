/* TTĐN — date fields typed as dd/mm/yyyy, with a calendar button.
 *
 * A date field is a text input (input[data-day-input]) so that it shows and accepts dd/mm/yyyy in every
 * browser, whatever its locale. This adds a button beside it that opens the browser's own date picker
 * (a hidden <input type=date>) just to choose a day, and writes that day back as dd/mm/yyyy. Without
 * JavaScript the text field works alone; the server reads and checks what was typed.
 */
(function () {
  "use strict";

  var LABELS = {
    vi: { button: "Lịch", title: "Chọn ngày trên lịch" },
    en: { button: "Calendar", title: "Choose a date on a calendar" }
  };

  function text(key) {
    var lang = (document.documentElement.lang || "vi").toLowerCase().slice(0, 2);
    return (LABELS[lang] || LABELS.vi)[key];
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // "01/12/2026" (or "1-12-2026", or ISO) → "2026-12-01"; "" if it is not a date.
  function toISO(text) {
    var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(text || "");
    if (m) {
      return m[3] + "-" + pad(+m[2]) + "-" + pad(+m[1]);
    }
    m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text || "");
    return m ? m[1] + "-" + m[2] + "-" + m[3] : "";
  }

  function fromISO(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }

  function enhance(input) {
    if (input.hasAttribute("data-day-ready")) {
      return;
    }
    input.setAttribute("data-day-ready", "");
    var picker = document.createElement("input");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.className = "day-picker-native";
    picker.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "day-picker-button";
    button.title = text("title");
    button.setAttribute("data-day-picker", "");
    button.textContent = text("button");
    input.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", picker);

    button.addEventListener("click", function () {
      picker.value = toISO(input.value);
      if (typeof picker.showPicker === "function") {
        try {
          picker.showPicker();
          return;
        } catch (e) {
          /* fall through: show the native field itself */
        }
      }
      picker.classList.add("day-picker-shown");
      picker.focus();
    });
    picker.addEventListener("change", function () {
      var text = fromISO(picker.value);
      if (text) {
        input.value = text;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      picker.classList.remove("day-picker-shown");
      input.focus();
    });
  }

  function enhanceAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-day-input]");
    for (var i = 0; i < inputs.length; i++) {
      enhance(inputs[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  // Parts of pages swapped in by htmx (filters, task forms) get their buttons too.
  document.addEventListener("htmx:afterSettle", function (event) { enhanceAll(event.target); });
})();
