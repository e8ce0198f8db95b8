// coalign review: keyboard shortcuts. Written for this app; no libraries, no network.
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(ev.target)) { return; }
    var handled = false;
    switch (ev.key) {
      case "s": handled = click("btn-safe"); break;
      case "u": handled = click("btn-unsafe"); break;
      case "e": handled = click("btn-escalate"); break;
      case "n": handled = click("next-link") || click("start"); break;
      case "q": handled = click("queue-link"); break;
      case "c": {
        var box = document.getElementById("corrected");
        if (box) { box.focus(); handled = true; }
        break;
      }
      case "j": {
        var d = document.getElementById("judge");
        if (d) { d.open = !d.open; handled = true; }
        break;
      }
    }
    if (handled) { ev.preventDefault(); }
  });
  // Ask before leaving a page with an unsent correction or comment.
  var form = document.getElementById("decide");
  if (form) {
    var sending = false;
    form.addEventListener("submit", function (ev) {
      if (sending) { ev.preventDefault(); return; }  // no double submission
      sending = true;
    });
  }
})();
