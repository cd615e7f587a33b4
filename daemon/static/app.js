// Keyboard shortcuts for the review queue and a document page. Loaded as a file (the
// Content-Security-Policy allows no inline script); it only clicks what the page offers.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const rows = Array.from(document.querySelectorAll("#queue tr[data-href]"));
  let at = -1;
  const select = (i) => {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.classList.toggle("selected", j === at));
    rows[at].scrollIntoView({ block: "nearest" });
  };
  rows.forEach((r) => r.addEventListener("click", () => { window.location = r.dataset.href; }));
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") select(at + 1);
    else if (e.key === "k") select(at - 1);
    else if (e.key === "Enter" && at >= 0) window.location = rows[at].dataset.href;
    else {
      const target = document.querySelector(`[data-key="${e.key}"]`);
      if (target) { e.preventDefault(); target.click(); }
    }
  });
});
