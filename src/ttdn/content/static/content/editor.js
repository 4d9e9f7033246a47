/* TTĐN — the rich-text editor of the edit pages (Jodit, vendored in ./vendor, MIT).
 *
 * Every <textarea data-rich-text> becomes an editor. Nothing inline: the page says what it needs in
 * data- attributes, so a strict Content-Security-Policy can forbid inline scripts.
 *   data-source-mode="1"   the user may switch to the HTML source (appraisers and publishers only)
 *   data-lang-from="ID"    the <select> whose value is the text's language (the item form)
 *   lang="…"               the language of the text (fonts, spell checking, input methods)
 * The server cleans whatever arrives (ttdn.core.text.sanitize_html), so this is comfort, not defence.
 * Without JavaScript the textarea stays and takes simple HTML.
 */
(function () {
  "use strict";

  if (!window.Jodit) return;

  var VI = {
    "Type something": "Nhập nội dung…",
    Bold: "Đậm",
    Italic: "Nghiêng",
    Underline: "Gạch chân",
    Strikethrough: "Gạch ngang",
    "Insert Unordered List": "Danh sách dấu đầu dòng",
    "Insert Ordered List": "Danh sách đánh số",
    "Insert link": "Chèn liên kết",
    "Insert table": "Chèn bảng",
    "Insert format block": "Kiểu đoạn",
    Normal: "Đoạn văn thường",
    "Heading 2": "Tiêu đề 2",
    "Heading 3": "Tiêu đề 3",
    "Heading 4": "Tiêu đề 4",
    Quote: "Trích dẫn",
    Undo: "Hoàn tác",
    Redo: "Làm lại",
    "Change mode": "Xem/sửa mã HTML",
    "Clear Formatting": "Xóa định dạng",
    "Insert Horizontal Line": "Chèn đường kẻ ngang",
    "Decrease Indent": "Giảm thụt lề",
    "Increase Indent": "Tăng thụt lề",
    "Insert Special Character": "Chèn ký tự đặc biệt",
    "Open in fullsize": "Mở toàn màn hình",
    Insert: "Chèn",
    Update: "Cập nhật",
    Unlink: "Bỏ liên kết",
    Edit: "Sửa",
    Delete: "Xóa",
    Cancel: "Hủy",
    Ok: "Đồng ý",
    URL: "Địa chỉ (URL)",
    Text: "Chữ hiển thị",
    Title: "Tiêu đề",
    "Open in new tab": "Mở trong thẻ mới",
    "No follow": "No follow",
    "Add column before": "Thêm cột bên trái",
    "Add column after": "Thêm cột bên phải",
    "Add row above": "Thêm hàng phía trên",
    "Add row below": "Thêm hàng phía dưới",
    "Delete table": "Xóa bảng",
    "Delete row": "Xóa hàng",
    "Delete column": "Xóa cột",
    "Empty cell": "Xóa nội dung ô",
    "Merge cells": "Gộp ô",
    "Split vertical": "Chia dọc",
    "Split horizontal": "Chia ngang",
    Chars: "Ký tự",
    Words: "Từ",
    Search: "Tìm",
    Find: "Tìm",
    Replace: "Thay thế",
    "Paste as HTML": "Dán dạng HTML",
    Keep: "Giữ nguyên",
    Clean: "Làm sạch",
    "Insert as Text": "Dán dạng chữ",
    "Insert only Text": "Chỉ dán chữ"
  };

  var KEYS = {
    vi: "Bàn phím: Alt+F10 để vào thanh công cụ, mũi tên trái/phải để chọn nút, Esc để quay lại văn bản.",
    en: "Keyboard: Alt+F10 moves to the toolbar, left/right arrows choose a button, Esc returns to the text."
  };

  var TOOLBAR = ["paragraph", "bold", "italic", "underline", "|", "ul", "ol", "outdent", "indent", "|",
                 "link", "table", "hr", "|", "eraser", "undo", "redo"];

  function labelFor(textarea) {
    var label = textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
    return label;
  }

  function make(textarea) {
    var mayEditSource = textarea.getAttribute("data-source-mode") === "1";
    var ui = (document.documentElement.lang || "vi").toLowerCase().slice(0, 2) === "en" ? "en" : "vi";
    var buttons = TOOLBAR.slice();
    if (mayEditSource) buttons.push("|", "source");
    var disabled = ["about", "ai-assistant", "powered-by-jodit", "file", "image", "image-processor",
                    "image-properties", "video", "media", "preview", "print", "xpath", "class-span", "color",
                    "font", "copyformat", "drag-and-drop", "drag-and-drop-element", "line-height"];
    if (!mayEditSource) disabled.push("source");

    var editor = window.Jodit.make(textarea, {
      language: ui,
      i18n: { vi: VI },
      buttons: buttons,
      buttonsMD: buttons,
      buttonsSM: buttons,
      buttonsXS: buttons,
      toolbarAdaptive: false,
      toolbarSticky: false,
      disablePlugins: disabled,
      showPoweredByJodit: false,
      showXPathInStatusbar: false,
      showCharsCounter: false,
      showWordsCounter: true,
      spellcheck: true,
      tabIndex: 0,
      minHeight: 320,
      enter: "p",
      // Nothing from the internet: the source view is a plain textarea, no Ace, no js-beautify from a CDN.
      sourceEditor: "area",
      beautifyHTML: false,
      // Pasted Word and web HTML keep their structure (paragraphs, bold, lists, tables) and lose the rest.
      askBeforePasteHTML: false,
      askBeforePasteFromWord: false,
      defaultActionOnPaste: "insert_clear_html",
      defaultActionOnPasteFromWord: "insert_clear_html",
      cleanHTML: { denyTags: "script,style,iframe,object,embed,img,video,audio,form,input,button,svg,meta,link" },
      controls: {
        paragraph: {
          list: { p: "Normal", h2: "Heading 2", h3: "Heading 3", h4: "Heading 4", blockquote: "Quote" }
        }
      },
      link: { noFollowCheckbox: false, openInNewTabCheckbox: false }
    });

    var area = editor.editor;
    function setLang(tag) {
      if (!tag) return;
      area.setAttribute("lang", tag);
      textarea.setAttribute("lang", tag);
    }
    setLang(textarea.getAttribute("lang"));
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    var label = labelFor(textarea);
    if (label) {
      if (!label.id) label.id = textarea.id + "_label";
      area.setAttribute("aria-labelledby", label.id);
      // The label names a hidden textarea; clicking it should put the caret in the editor.
      label.addEventListener("click", function (event) {
        event.preventDefault();
        editor.s.focus();
      });
    }
    var keys = document.createElement("p");
    keys.className = "help editor-keys";
    keys.id = (textarea.id || "editor") + "_keys";
    keys.setAttribute("data-editor-keys", "");
    keys.textContent = KEYS[ui];
    editor.container.insertAdjacentElement("afterend", keys);
    var described = textarea.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + keys.id);
    if (textarea.getAttribute("aria-invalid")) area.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));

    var langFrom = textarea.getAttribute("data-lang-from");
    var select = langFrom ? document.getElementById(langFrom) : null;
    if (select) {
      setLang(select.value);
      select.addEventListener("change", function () { setLang(select.value); });
    }

    // The form is sent by ttdn.js (progress bar) or the browser: make sure the textarea holds the latest text.
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () {
        if (editor.getMode && editor.getMode() !== window.Jodit.constants.MODE_WYSIWYG) editor.setMode(window.Jodit.constants.MODE_WYSIWYG);
        textarea.value = editor.value;
      });
    }
    textarea.setAttribute("data-rich-text-ready", "1");
    return editor;
  }

  function start() {
    var areas = document.querySelectorAll("textarea[data-rich-text]");
    for (var i = 0; i < areas.length; i++) {
      if (!areas[i].hasAttribute("data-rich-text-ready")) make(areas[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
