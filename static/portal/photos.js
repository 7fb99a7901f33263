// Progressive enhancement of the photo input (templates/returns/_photo_input.html): a preview of
// each chosen photo with a button to remove it, and photos chosen in several goes (the camera,
// then the gallery) kept together. Without JavaScript the plain file input sends what was chosen.
(function () {
  "use strict";

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  // A small preview drawn on a canvas (a data: URL, which the page's policy allows for images);
  // a photo the browser cannot show (HEIC outside Safari) is listed by its name alone.
  function preview(file, img, fallback) {
    var show = function (source) {
      var canvas = document.createElement("canvas");
      var scale = Math.min(1, 192 / Math.max(source.width, source.height));
      canvas.width = Math.max(1, Math.round(source.width * scale));
      canvas.height = Math.max(1, Math.round(source.height * scale));
      canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
      img.src = canvas.toDataURL("image/jpeg", 0.8);
    };
    if (window.createImageBitmap) {
      window.createImageBitmap(file).then(show, fallback);
    } else {
      fallback();
    }
  }

  function enhance(box) {
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector("[data-photo-previews]");
    var counter = box.querySelector("[data-photo-count]");
    var max = parseInt(box.getAttribute("data-max"), 10) || 5;
    if (!input || !list || typeof DataTransfer === "undefined") {
      return;
    }
    var chosen = [];
    var dropped = false;

    function render() {
      list.textContent = "";
      chosen.forEach(function (file, index) {
        var item = document.createElement("li");
        item.className = "photo-preview";
        var img = document.createElement("img");
        img.className = "photo-thumb";
        img.alt = file.name;
        var name = document.createElement("span");
        name.className = "photo-name small text-break";
        name.textContent = file.name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-outline-danger";
        remove.textContent = box.getAttribute("data-remove-label");
        remove.setAttribute("aria-label", box.getAttribute("data-remove-label") + ": " + file.name);
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          dropped = false;
          update();
          input.focus();
        });
        item.appendChild(img);
        item.appendChild(name);
        item.appendChild(remove);
        list.appendChild(item);
        preview(file, img, function () { img.remove(); });
      });
      var words = box.getAttribute("data-count-label").replace("{chosen}", chosen.length);
      if (dropped) {
        words += " " + box.getAttribute("data-too-many");
      }
      counter.textContent = words;
      counter.hidden = chosen.length === 0 && !dropped;
    }

    function update() {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      render();
    }

    // On the claim form photos go with a defect only: choosing another reason puts them away
    // (a disabled input sends nothing), choosing the defect again brings them back.
    // The codes of the reasons photos go with, separated by spaces.
    var reason = box.getAttribute("data-for-reason");
    if (reason && input.form) {
      var follow = function () {
        var checked = input.form.querySelector('input[name="reason"]:checked');
        var away = checked !== null && reason.split(" ").indexOf(checked.value) < 0;
        box.hidden = away;
        input.disabled = away;
      };
      input.form.querySelectorAll('input[name="reason"]').forEach(function (radio) {
        radio.addEventListener("change", follow);
      });
      follow();
    }

    input.addEventListener("change", function () {
      // The browser replaced the selection with the new one: add it to what was chosen before.
      dropped = false;
      Array.prototype.forEach.call(input.files, function (file) {
        if (chosen.some(function (other) { return sameFile(file, other); })) {
          return;
        }
        if (chosen.length < max) {
          chosen.push(file);
        } else {
          dropped = true;
        }
      });
      update();
    });
  }

  document.querySelectorAll("[data-photos]").forEach(enhance);
})();
