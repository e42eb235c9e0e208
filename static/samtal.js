// Samtal's only script: progressive enhancement on top of plain forms and htmx.
(function () {
  "use strict";

  // After each htmx swap: move focus to the new question and announce the answer and question.
  function settle(root) {
    var question = root.querySelector("[data-focus-after-swap]");
    if (question) { question.focus({ preventScroll: false }); }
    var note = root.querySelector("[data-announce]");
    var live = document.getElementById("announce");
    if (note && live) { live.textContent = ""; setTimeout(function () { live.textContent = note.getAttribute("data-announce"); }, 50); }
    setupReadAloud(root);
  }

  // Read-aloud: shown only where the browser has a voice for the page's language.
  function voiceFor(lang) {
    if (!("speechSynthesis" in window)) { return null; }
    var base = lang.split("-")[0].toLowerCase();
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang.toLowerCase().split(/[-_]/)[0] === base) { return voices[i]; }
    }
    return null;
  }

  function setupReadAloud(root) {
    var lang = document.documentElement.lang || "sv";
    var voice = voiceFor(lang);
    root.querySelectorAll("[data-read-aloud]").forEach(function (button) {
      // A recorded voice plays anywhere; the synthetic one only where the language has a voice.
      if (!voice && !button.hasAttribute("data-audio")) { button.hidden = true; return; }
      button.hidden = false;
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var audio = button.getAttribute("data-audio");
        if ("speechSynthesis" in window) { window.speechSynthesis.cancel(); }
        if (audio) { new Audio(audio).play(); return; }
        var utterance = new SpeechSynthesisUtterance(button.getAttribute("data-read-aloud"));
        utterance.lang = lang; utterance.voice = voice; utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      });
    });
  }

  // Tiles show their chosen state at once (the :has() rule covers modern browsers).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.closest && input.closest(".tile")) {
      input.closest(".tile").classList.toggle("is-chosen", input.checked);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) { settle(event.detail.elt.parentNode || document); });
  document.addEventListener("DOMContentLoaded", function () {
    setupReadAloud(document);
    if ("speechSynthesis" in window) {
      window.speechSynthesis.addEventListener("voiceschanged", function () { setupReadAloud(document); });
    }
  });
})();

// A print button where the page offers one (no inline handlers: the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// Staff workspace: a copy button beside a link field (shown only where the clipboard works).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        var status = document.getElementById(field.id + "-copied");
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () { field.select(); });
    });
  });
});

// A save that did not happen is always said plainly: the child's or guardian's tap (kind
// message, the choice stays on screen, "try again" sends the same form key: stored once) and
// the summary's autosave (never a stale "saved").
(function () {
  "use strict";
  var last = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest || !form.closest("#samtal")) { return; }
    last = { form: form, button: event.submitter || null };
    var box = form.parentNode.querySelector("[data-save-failed]");
    if (box) { box.hidden = true; }
  }, true);

  document.addEventListener("click", function (event) {
    var retry = event.target.closest ? event.target.closest("[data-retry]") : null;
    if (!retry || !last || !document.contains(last.form)) { return; }
    retry.closest("[data-save-failed]").hidden = true;
    if (last.button && document.contains(last.button)) { last.button.click(); } else { last.form.requestSubmit(); }
  });

  function statusOf(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form ? form.querySelector("[data-save-status]") : null;
  }

  function failed(event) {
    var elt = event.detail.elt;
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    var status = statusOf(elt);
    if (status) {
      var key = code === 401 ? "signedOut" : code === 413 ? "tooLarge" : "failed";
      status.textContent = status.dataset[key];
      status.classList.add("error-inline");
      return;
    }
    var screen = elt && elt.closest ? elt.closest("#samtal") : null;
    var box = screen ? screen.querySelector("[data-save-failed]") : null;
    if (box) {
      box.hidden = false;
      var retry = box.querySelector("[data-retry]");
      if (retry) { retry.focus(); }
    }
  }

  // The text is left alone while a save is on its way: a status that changes size under a
  // pointer can swallow a click on the button below it.
  document.addEventListener("htmx:afterRequest", function (event) {
    var status = statusOf(event.detail.elt);
    if (status && event.detail.successful) { status.classList.remove("error-inline"); }
  });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
