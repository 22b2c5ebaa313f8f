// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("htmx:afterSwap", (event) => {
  const summary = event.detail.target.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
// A copy button (data-copy="<input id>"): shown only where the clipboard can be written.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    if (!navigator.clipboard) continue;
    const id = button.dataset.copy;
    const status = document.querySelector(`[data-copy-status="${id}"]`);
    button.hidden = false;
    button.addEventListener("click", async () => {
      const input = document.getElementById(id);
      try {
        await navigator.clipboard.writeText(input.value);
        status.textContent = "コピーしました。";
      } catch {
        input.select();
        status.textContent = "コピーできませんでした。選択した文字をコピーしてください。";
      }
    });
  }
});
