document.addEventListener("click", function (e) {
  if (e.target && e.target.matches("[data-print]")) { e.preventDefault(); window.print(); }
});
