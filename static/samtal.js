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
    setupDrawing(root);
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

  // The drawing pad on own-words steps: finger, pen or mouse (pointer events), or the keyboard
  // (arrow keys draw from the middle, space lifts the pen). The picture goes with the form as a
  // PNG in the hidden "drawing" field; the server checks it and keeps only its pixels.
  var COLOURS = ["#1f2937", "#d62828", "#1d6fb8", "#2a9d3f", "#f4a300"];
  var KEY_STEP = 16;
  var KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function setupDrawing(root) {
    root.querySelectorAll("[data-draw]").forEach(function (pad) {
      if (pad.dataset.ready) { return; }
      pad.dataset.ready = "1";
      pad.hidden = false;
      var canvas = pad.querySelector("canvas");
      var field = pad.querySelector('input[name="drawing"]');
      var context = canvas.getContext("2d");
      var width = canvas.width, height = canvas.height;
      var strokes = [], current = null, base = null, colour = COLOURS[0];
      var pen = { x: width / 2, y: height / 2, stroke: null };

      function paint(stroke) {
        var points = stroke.points;
        context.strokeStyle = stroke.colour; context.fillStyle = stroke.colour;
        context.lineWidth = 10; context.lineCap = "round"; context.lineJoin = "round";
        if (points.length === 1) {
          context.beginPath(); context.arc(points[0].x, points[0].y, 5, 0, 2 * Math.PI); context.fill();
          return;
        }
        context.beginPath(); context.moveTo(points[0].x, points[0].y);
        for (var i = 1; i < points.length; i++) { context.lineTo(points[i].x, points[i].y); }
        context.stroke();
      }
      function redraw() {
        context.fillStyle = "#ffffff"; context.fillRect(0, 0, width, height);
        if (base) { context.drawImage(base, 0, 0, width, height); }
        strokes.forEach(paint);
      }
      function keep() { field.value = strokes.length || base ? canvas.toDataURL("image/png") : ""; }
      function at(event) {
        var box = canvas.getBoundingClientRect();
        return { x: (event.clientX - box.left) * width / box.width, y: (event.clientY - box.top) * height / box.height };
      }
      function start(point) { current = { colour: colour, points: [point] }; strokes.push(current); redraw(); }

      canvas.addEventListener("pointerdown", function (event) {
        event.preventDefault();
        if (canvas.setPointerCapture) { try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* touch ended */ } }
        start(at(event));
      });
      canvas.addEventListener("pointermove", function (event) {
        if (!current) { return; }
        event.preventDefault();
        current.points.push(at(event)); redraw();
      });
      ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
        canvas.addEventListener(name, function () { if (current) { current = null; keep(); } });
      });
      canvas.addEventListener("keydown", function (event) {
        var move = KEYS[event.key];
        if (event.key === " ") { event.preventDefault(); pen.stroke = null; return; }
        if (!move) { return; }
        event.preventDefault();
        if (!pen.stroke) { pen.stroke = { colour: colour, points: [{ x: pen.x, y: pen.y }] }; strokes.push(pen.stroke); }
        pen.x = Math.min(width, Math.max(0, pen.x + move[0] * KEY_STEP));
        pen.y = Math.min(height, Math.max(0, pen.y + move[1] * KEY_STEP));
        pen.stroke.points.push({ x: pen.x, y: pen.y });
        redraw(); keep();
      });
      pad.querySelectorAll("[data-colour]").forEach(function (button) {
        button.addEventListener("click", function () {
          colour = COLOURS[Number(button.getAttribute("data-colour")) - 1] || COLOURS[0];
          pen.stroke = null;
          pad.querySelectorAll("[data-colour]").forEach(function (other) {
            other.setAttribute("aria-pressed", other === button ? "true" : "false");
          });
        });
      });
      pad.querySelector("[data-draw-undo]").addEventListener("click", function () {
        if (strokes.length) { strokes.pop(); } else { base = null; }
        pen.stroke = null; redraw(); keep();
      });
      pad.querySelector("[data-draw-clear]").addEventListener("click", function () {
        strokes = []; base = null; pen.stroke = null; redraw(); keep();
      });
      redraw();
      var existing = canvas.getAttribute("data-existing");
      if (existing) {
        var picture = new Image();
        picture.addEventListener("load", function () { base = picture; redraw(); keep(); });
        picture.src = existing;
      }
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
    setupDrawing(document);
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
