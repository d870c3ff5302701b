// Start GOV.UK Frontend's components. Loaded as a module, so old browsers skip it
// and get the plain HTML, which works without JavaScript.
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// "Read aloud": a button on each question that speaks it with the browser's own
// voice, in the page's language. Without speech synthesis there is no button.
const strings = document.getElementById("heard-strings");

function textOf(question) {
  const parts = [];
  question.querySelectorAll("legend, label, .govuk-hint").forEach((node) => {
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (text) parts.push(text);
  });
  return parts.join(". ");
}

function addReadAloud() {
  if (!("speechSynthesis" in window) || !strings) return;
  const lang = document.documentElement.lang || "en";
  document.querySelectorAll("[data-read-aloud]").forEach((question) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary heard-read-aloud";
    button.textContent = strings.dataset.readAloudLabel;
    button.addEventListener("click", () => {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        button.textContent = strings.dataset.readAloudLabel;
        return;
      }
      const utterance = new SpeechSynthesisUtterance(textOf(question));
      utterance.lang = lang;
      utterance.addEventListener("end", () => { button.textContent = strings.dataset.readAloudLabel; });
      button.textContent = strings.dataset.stopReadingLabel;
      window.speechSynthesis.speak(utterance);
    });
    question.prepend(button);
  });
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
