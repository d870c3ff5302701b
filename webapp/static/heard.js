// Start GOV.UK Frontend's components. Loaded as a module, so old browsers skip it
// and get the plain HTML, which works without JavaScript.
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// "Read aloud": a button on each question that speaks it with one of the browser's own
// voices in the page's language. Browsers load their voices late, so the buttons wait
// for them; where the device has no voice in this language the button says so and
// stays disabled. Without speech synthesis at all there is no button.
const strings = document.getElementById("heard-strings");
// How long to wait for a browser that loads its voices late before saying there is none.
const VOICE_WAIT_MS = 2000;

function textOf(question) {
  const parts = [];
  question.querySelectorAll("legend, label, .govuk-hint").forEach((node) => {
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (text) parts.push(text);
  });
  return parts.join(". ");
}

// The best voice for a BCP 47 language: the same tag, else the same language ("ar-SA"
// for "ar"), else none. Voices name their language with "-" or, on some systems, "_".
function voiceFor(voices, lang) {
  const tag = lang.toLowerCase();
  const base = tag.split("-")[0];
  const tagOf = (voice) => (voice.lang || "").toLowerCase().replace("_", "-");
  return (
    voices.find((voice) => tagOf(voice) === tag) ||
    voices.find((voice) => tagOf(voice).split("-")[0] === base) ||
    null
  );
}

function addReadAloud() {
  if (!("speechSynthesis" in window) || !strings) return;
  const lang = document.documentElement.lang || "en";
  const buttons = [];
  let voice = null;

  const show = (button, label) => {
    button.textContent = label;
  };
  const settle = (final) => {
    voice = voiceFor(window.speechSynthesis.getVoices(), lang);
    buttons.forEach((button) => {
      if (voice) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        show(button, strings.dataset.readAloudLabel);
      } else if (final) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
        show(button, strings.dataset.noVoiceLabel);
      }
    });
    return voice;
  };

  document.querySelectorAll("[data-read-aloud]").forEach((question) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary heard-read-aloud";
    button.disabled = true;
    show(button, strings.dataset.readAloudLabel);
    button.addEventListener("click", () => {
      if (!voice) return;
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        show(button, strings.dataset.readAloudLabel);
        return;
      }
      const utterance = new SpeechSynthesisUtterance(textOf(question));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.addEventListener("end", () => show(button, strings.dataset.readAloudLabel));
      show(button, strings.dataset.stopReadingLabel);
      window.speechSynthesis.speak(utterance);
    });
    buttons.push(button);
    // After the question's own words, so a question that is the page's heading keeps
    // its heading first; a question with no legend or label gets the button first.
    const words = question.querySelector("legend, label");
    if (words) words.after(button);
    else question.prepend(button);
  });
  if (!buttons.length || settle(false)) return;
  window.speechSynthesis.addEventListener("voiceschanged", () => settle(true));
  window.setTimeout(() => settle(true), VOICE_WAIT_MS);
}

addReadAloud();

// Job progress: without JavaScript the page has a refresh link; with it, the bar and
// message update themselves, and the page reloads to show the result when the job ends.
function followJob(panel) {
  const bar = panel.querySelector("progress");
  const message = panel.querySelector("[data-job-message]");
  const poll = async () => {
    try {
      const reply = await fetch(panel.dataset.jobStatus, { headers: { Accept: "application/json" } });
      if (!reply.ok) return;
      const job = await reply.json();
      bar.value = job.progress;
      bar.textContent = `${job.progress}%`;
      if (message.textContent !== job.message) message.textContent = job.message;
      if (job.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A dropped connection is not the job failing: keep asking.
    }
    window.setTimeout(poll, 1500);
  };
  window.setTimeout(poll, 1500);
}

document.querySelectorAll("[data-job-status]").forEach(followJob);

// Choosing another language on a question page sends the page first, when anything on it
// has changed, so nothing typed is lost: it is saved, or shown again with its errors, in
// the new language. Without JavaScript the language links simply open the page again.
function keepAnswersWhenChangingLanguage() {
  const form = document.querySelector("form[data-heard-language-save]");
  if (!form) return;
  // A page shown again with errors holds typing that was never saved.
  let changed = Boolean(document.querySelector(".govuk-error-summary"));
  const mark = () => {
    changed = true;
  };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  document.querySelectorAll("a.heard-languages__link").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (!changed) return;
      event.preventDefault();
      const chosen = new URL(link.href, window.location.href).searchParams.get("lang");
      const action = new URL(window.location.href);
      action.searchParams.set("lang", chosen);
      form.action = action.toString();
      const flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "language_switch";
      flag.value = "1";
      form.appendChild(flag);
      form.submit();
    });
  });
}

keepAnswersWhenChangingLanguage();
