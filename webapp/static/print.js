// Progressive enhancement: show a "print" button on the report page (the page prints fine without it).
document.querySelectorAll(".print-button").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
