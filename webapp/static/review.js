// Keyboard shortcuts for the review page. The page works without them: every action
// is a native checkbox, radio, button or link, reachable with Tab.
const form = document.getElementById("review-form");
const status = document.getElementById("shortcut-status");

function typing(target) {
  return (
    target.isContentEditable ||
    ["TEXTAREA", "SELECT"].includes(target.tagName) ||
    (target.tagName === "INPUT" && !["checkbox", "radio", "submit", "button"].includes(target.type))
  );
}

function say(message) {
  if (status) status.textContent = message;
}

function themeBoxes() {
  return Array.from(form.querySelectorAll('input[name="themes"]'));
}

function labelOf(input) {
  const label = form.querySelector(`label[for="${input.id}"]`);
  return label ? label.textContent.replace(/^\s*\d\s*/, "").trim() : "";
}

function follow(id) {
  const link = document.getElementById(id);
  if (link) window.location.assign(link.href);
}

// Single-key shortcuts can be turned off (WCAG 2.1.4); the choice is kept in this browser.
const STORE = "heard.review-shortcuts";
const toggle = document.getElementById("shortcuts-on");

function shortcutsOn() {
  try {
    return window.localStorage.getItem(STORE) !== "off";
  } catch {
    return true;
  }
}

if (toggle) {
  toggle.checked = shortcutsOn();
  document.getElementById("shortcut-switch").hidden = false;
  toggle.addEventListener("change", () => {
    try {
      window.localStorage.setItem(STORE, toggle.checked ? "on" : "off");
    } catch {
      // Storage may be blocked; the switch still works for this page.
    }
    say(toggle.checked ? "Keyboard shortcuts on" : "Keyboard shortcuts off");
  });
}

if (form) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (toggle ? !toggle.checked : !shortcutsOn()) return;
    const key = event.key;
    if (/^[1-9]$/.test(key)) {
      const box = themeBoxes()[Number(key) - 1];
      if (!box) return;
      box.checked = !box.checked;
      box.focus();
      say(`${labelOf(box)}: ${box.checked ? "ticked" : "unticked"}`);
    } else if (key === "a" || key === "r") {
      const suggested = themeBoxes().filter((box) => box.dataset.suggested === "true");
      suggested.forEach((box) => {
        box.checked = key === "a";
      });
      say(`${suggested.length} suggestion${suggested.length === 1 ? "" : "s"} ${key === "a" ? "accepted" : "rejected"}`);
    } else if (["+", "0", "-", "m"].includes(key)) {
      const radio = form.querySelector(`input[name="sentiment"][data-key="${key}"]`);
      if (!radio) return;
      radio.checked = true;
      radio.focus();
      say(`Sentiment: ${radio.value}`);
    } else if (key === "s") {
      form.requestSubmit();
    } else if (key === "n") {
      follow("skip");
    } else if (key === "p") {
      follow("previous");
    } else if (key === "?") {
      document.getElementById("shortcuts").focus();
    } else {
      return;
    }
    event.preventDefault();
  });
}
