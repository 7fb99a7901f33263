// Progressive enhancement: choosing "damaged" for an item unticks "Put back in stock", and "as
// new" ticks it again, the defaults the receipt applies; staff may still change the box.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (!target.matches("input.receive-condition")) return;
  var line = target.closest(".receive-line");
  var restock = line && line.querySelector('input[type="checkbox"][name^="restock_"]');
  if (restock) restock.checked = target.value === "as_new";
});
