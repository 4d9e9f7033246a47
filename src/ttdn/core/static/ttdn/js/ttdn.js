/* TTĐN — small progressive enhancements. No build step, no dependencies.
 *
 * 1. Upload progress: a <form data-upload-progress> is sent with XMLHttpRequest so a
 *    <progress data-progress> inside it can show how much has been sent. Without JavaScript
 *    (or if anything here fails before sending) the form submits normally.
 * 2. htmx: every htmx request carries the CSRF token from <meta name="csrf-token">.
 * 3. Upload limits: an <input type=file data-max-mb-KIND="N"> refuses, before anything is sent, a file
 *    larger than its kind's limit (the server checks again).
 */
(function () {
  "use strict";

  var MESSAGES = {
    vi: {
      uploading: "Đang tải lên…",
      processing: "Đã gửi xong, đang xử lý…",
      failed: "Không tải lên được. Kiểm tra kết nối mạng rồi thử lại.",
      tooLarge: "“{name}” nặng {size} MB, vượt giới hạn {limit} MB cho {kind}. Hãy chọn tệp nhỏ hơn.",
      kinds: { pdf: "tệp PDF", docx: "tệp Word", image: "ảnh", audio: "tệp âm thanh", video: "video", any: "mọi tệp" }
    },
    en: {
      uploading: "Uploading…",
      processing: "Sent, processing…",
      failed: "The upload failed. Check the network connection and try again.",
      tooLarge: "“{name}” is {size} MB, over the {limit} MB limit for {kind}. Choose a smaller file.",
      kinds: { pdf: "PDF files", docx: "Word files", image: "images", audio: "audio files", video: "videos", any: "any file" }
    }
  };

  function message(key) {
    var lang = (document.documentElement.lang || "vi").toLowerCase().slice(0, 2);
    return (MESSAGES[lang] || MESSAGES.vi)[key];
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* ------------------------------------------------------------ uploads */

  function absoluteURL(url) {
    var a = document.createElement("a");
    a.href = url;
    return a.href;
  }

  function setButtonsDisabled(form, disabled) {
    var buttons = form.querySelectorAll('button, input[type="submit"]');
    for (var i = 0; i < buttons.length; i++) {
      if (disabled) {
        buttons[i].setAttribute("data-was-disabled", buttons[i].disabled ? "1" : "0");
        buttons[i].disabled = true;
      } else if (buttons[i].getAttribute("data-was-disabled") === "0") {
        buttons[i].disabled = false;
      }
    }
  }

  function progressText(form, progress) {
    var text = form.querySelector("[data-progress-text]");
    if (!text && progress) {
      text = document.createElement("span");
      text.className = "progress-text";
      text.setAttribute("data-progress-text", "");
      progress.insertAdjacentElement("afterend", text);
    }
    return text;
  }

  function showError(form, text) {
    var box = form.querySelector("[data-upload-errors]");
    if (box) {
      box.innerHTML = "";
      var p = document.createElement("p");
      p.className = "error-text";
      p.setAttribute("role", "alert");
      p.textContent = text;
      box.appendChild(p);
    } else {
      window.alert(text);
    }
  }

  function replaceDocument(html) {
    document.open();
    document.write(html);
    document.close();
  }

  function onSubmit(event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if (!form.hasAttribute("data-upload-progress")) return;
    if (!window.FormData || !window.XMLHttpRequest) return;
    if (form.getAttribute("data-uploading") === "1") {
      event.preventDefault(); // a second click while sending
      return;
    }

    var submitter = event.submitter || null;
    var method = ((submitter && submitter.getAttribute("formmethod")) || form.getAttribute("method") || "get").toUpperCase();
    if (method !== "POST") return; // only multipart POSTs carry files
    // getAttribute, not form.action: a field named "action" would shadow the property.
    var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action") || window.location.href;
    action = absoluteURL(action);

    var data;
    try {
      data = submitter ? new FormData(form, submitter) : new FormData(form);
    } catch (e) {
      // Older browsers: no submitter argument. Add the clicked button's value by hand.
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }

    event.preventDefault();

    var progress = form.querySelector("progress[data-progress], [data-progress] progress, [data-progress]");
    if (progress && progress.tagName !== "PROGRESS") progress = progress.querySelector("progress") || null;
    var text = progressText(form, progress);
    var errors = form.querySelector("[data-upload-errors]");
    if (errors) errors.innerHTML = "";
    if (progress) {
      progress.hidden = false;
      progress.max = 100;
      progress.removeAttribute("value"); // indeterminate until the first progress event
      var wrapper = progress.closest("[hidden]");
      if (wrapper && form.contains(wrapper)) wrapper.hidden = false;
    }
    if (text) text.textContent = message("uploading");
    form.setAttribute("data-uploading", "1");
    form.setAttribute("aria-busy", "true");
    setButtonsDisabled(form, true);

    var xhr = new XMLHttpRequest();
    xhr.open("POST", action, true);

    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.floor((e.loaded / e.total) * 100);
      if (progress) progress.value = percent;
      if (text) text.textContent = percent + " %";
    };
    xhr.upload.onload = function () {
      if (progress) progress.value = 100;
      if (text) text.textContent = message("processing");
    };

    function fail() {
      form.removeAttribute("data-uploading");
      form.removeAttribute("aria-busy");
      setButtonsDisabled(form, false);
      if (progress) progress.value = 0;
      if (text) text.textContent = "";
      showError(form, message("failed"));
    }
    xhr.onerror = fail;
    xhr.onabort = fail;
    xhr.ontimeout = fail;

    xhr.onload = function () {
      var finalURL = xhr.responseURL || action;
      var redirected = absoluteURL(finalURL) !== action;
      if (xhr.status < 400 && redirected && xhr.responseText) {
        // The usual case: POST, redirect, GET. Show the page the server sent us to as it came (loading it
        // again would lose its one-time messages), with its address in the address bar.
        window.history.replaceState(null, "", finalURL);
        replaceDocument(xhr.responseText);
      } else if (xhr.status < 400 && !xhr.responseText) {
        window.location.assign(finalURL);
      } else if (xhr.responseText) {
        // The form again with errors (200 or 4xx), or an error page: show what the server said.
        replaceDocument(xhr.responseText);
      } else {
        fail();
      }
    };

    xhr.send(data);
  }

  document.addEventListener("submit", onSubmit);

  /* ------------------------------------------------------- upload limits */

  var KIND_PATTERNS = [
    ["pdf", /\.pdf$/i, /^application\/pdf$/],
    ["docx", /\.docx$/i, /wordprocessingml/],
    ["image", /\.(jpe?g|png|webp)$/i, /^image\//],
    ["audio", /\.(mp3|ogg|oga|m4a)$/i, /^audio\//],
    ["video", /\.(mp4|m4v|webm)$/i, /^video\//]
  ];

  function fileKind(file) {
    for (var i = 0; i < KIND_PATTERNS.length; i++) {
      var p = KIND_PATTERNS[i];
      if (p[1].test(file.name || "") || p[2].test(file.type || "")) return p[0];
    }
    return null;
  }

  function limitFor(input, kind) {
    if (kind) return parseFloat(input.getAttribute("data-max-mb-" + kind) || "0");
    var most = 0; // unknown kind: the server sniffs it; only the largest limit applies here
    for (var i = 0; i < KIND_PATTERNS.length; i++) {
      most = Math.max(most, parseFloat(input.getAttribute("data-max-mb-" + KIND_PATTERNS[i][0]) || "0"));
    }
    return most;
  }

  function checkSizes(input) {
    var problems = [];
    var files = input.files || [];
    for (var i = 0; i < files.length; i++) {
      var kind = fileKind(files[i]);
      var limit = limitFor(input, kind);
      if (limit > 0 && files[i].size > limit * 1024 * 1024) {
        problems.push(message("tooLarge")
          .replace("{name}", files[i].name)
          .replace("{size}", (files[i].size / (1024 * 1024)).toFixed(1))
          .replace("{limit}", String(limit))
          .replace("{kind}", message("kinds")[kind || "any"]));
      }
    }
    input.setCustomValidity(problems.join(" "));
    var box = input.parentNode.querySelector("[data-size-errors]");
    if (!box) {
      box = document.createElement("ul");
      box.className = "errorlist";
      box.id = (input.id || "upload") + "_size_error";
      box.setAttribute("data-size-errors", "");
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + box.id);
    }
    box.innerHTML = "";
    for (var j = 0; j < problems.length; j++) {
      var li = document.createElement("li");
      li.textContent = problems[j];
      box.appendChild(li);
    }
    if (problems.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return problems.length === 0;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file" && input.hasAttribute("data-max-mb-pdf")) {
      checkSizes(input);
    }
  });

  /* --------------------------------------------------------------- htmx */

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });
})();
