// Progressive enhancement: "n" opens the next request of the to-do list, as the button does.
// Without JavaScript the button's access key does the same. Not while typing in a field.
document.addEventListener("keydown", function (event) {
  if (event.key !== "n" || event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
  var target = event.target;
  if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
  var next = document.querySelector("a.todo-next[accesskey]");
  if (next) {
    event.preventDefault();
    next.click();
  }
});
