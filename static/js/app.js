// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("htmx:afterSwap", (event) => {
  const summary = event.detail.target.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
