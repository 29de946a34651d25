// The message composer: a click on a placeholder inserts it at the cursor of the field last edited, and the
// condition the builder wrote (the `condition-ready` event of its htmx answer) is inserted the same way.
// Without this script the placeholders stay a list to copy from, and the builder adds its paragraph at the end.
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form) { return; }
  var lastField = document.getElementById("body_fr");

  form.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-source]")) { lastField = event.target; }
  });

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) { live.textContent = text; }
  }

  // Put `text` in place of the field's selection (at the cursor), leave the cursor after it, and let the
  // live check and the preview know (they listen to `input`).
  function insert(field, text, message) {
    if (!field) { return; }
    var start = typeof field.selectionStart === "number" ? field.selectionStart : field.value.length;
    var end = typeof field.selectionEnd === "number" ? field.selectionEnd : start;
    field.focus();
    field.setRangeText(text, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    announce(message);
  }

  // Each placeholder's name becomes a button (only now: without the script a button would do nothing).
  function upgrade(root) {
    var names = root.querySelectorAll("code[data-insert]");
    for (var i = 0; i < names.length; i++) {
      var code = names[i];
      if (code.parentNode.tagName === "BUTTON") { continue; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "insert";
      button.setAttribute("data-insert", code.getAttribute("data-insert"));
      button.setAttribute("aria-label", code.getAttribute("data-label"));
      code.parentNode.replaceChild(button, code);
      button.appendChild(code);
    }
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-insert]");
    if (!button) { return; }
    var text = button.getAttribute("data-insert");
    insert(lastField, text, text + " – " + (lastField.labels && lastField.labels[0] ? lastField.labels[0].textContent : ""));
  });

  document.body.addEventListener("condition-ready", function (event) {
    var field = document.getElementById(event.detail.field);
    var position = field.selectionStart;
    // A condition is a block of its own: it starts on a new line.
    var before = field.value.slice(0, position);
    var text = (before && !/\n$/.test(before) ? "\n" : "") + event.detail.text;
    insert(field, text, form.getAttribute("data-condition-added") || "");
  });

  document.body.addEventListener("htmx:afterSettle", function () { upgrade(form); });
  upgrade(form);
})();
