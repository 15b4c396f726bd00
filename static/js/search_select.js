// A choice searched as you type (copp.forms.SearchSelect): the WAI-ARIA 1.2
// combobox with a list box. Typing asks the page's /choices/<kind>/?q= for a
// few matches; ArrowDown/ArrowUp move through them, Enter or a click picks
// one, Escape closes the list. The picked id goes to the hidden input named as
// the field; typing again clears it, so the server reads the text instead
// (and refuses it unless exactly one allowed row matches).
(function () {
  var DELAY = 200;

  function setup(root) {
    var input = root.querySelector("[role=combobox]");
    var hidden = root.querySelector("[data-search-select-value]");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-search-select-status]");
    var url = root.getAttribute("data-url");
    var timer = null;
    var asked = 0;
    var active = -1;
    var picked = input.value;

    function options() { return list.querySelectorAll("[role=option]"); }

    function say(text) { status.textContent = text || ""; }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function pick(option) {
      input.value = picked = option.getAttribute("data-label");
      hidden.value = option.getAttribute("data-id");
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      say("");
    }

    function show(data) {
      list.textContent = "";
      data.results.forEach(function (row, i) {
        var option = document.createElement("li");
        option.id = input.id + "_option_" + i;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", row.id);
        option.setAttribute("data-label", row.label);
        option.appendChild(document.createTextNode(row.label));
        if (row.detail) {
          var detail = document.createElement("small");
          detail.textContent = row.detail;
          option.appendChild(detail);
        }
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (data.results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        say(data.more ? status.getAttribute("data-text-more") : status.getAttribute("data-text-count") + " " + data.results.length);
      } else {
        close();
        say(status.getAttribute("data-text-empty"));
      }
    }

    function fetchMatches(then) {
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(input.value.trim()), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (ticket !== asked) return; // a later answer is on its way
          show(data);
          if (then) then();
        })
        .catch(function () {
          if (ticket === asked) { close(); say(status.getAttribute("data-text-error")); }
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== picked) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(fetchMatches, DELAY);
    });

    input.addEventListener("keydown", function (evt) {
      var open = !list.hidden;
      if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
        evt.preventDefault();
        var step = evt.key === "ArrowDown" ? 1 : -1;
        if (open) highlight(active < 0 && step < 0 ? -1 : active + step);
        else { clearTimeout(timer); fetchMatches(function () { highlight(step > 0 ? 0 : -1); }); }
      } else if (evt.key === "Enter") {
        if (open && active >= 0) { evt.preventDefault(); pick(options()[active]); }
      } else if (evt.key === "Escape") {
        if (open) { evt.preventDefault(); close(); }
      } else if (evt.key === "Tab") {
        close();
      }
    });

    // mousedown, not click: the box must not lose its focus (and close the list) first.
    list.addEventListener("mousedown", function (evt) {
      var option = evt.target.closest("[role=option]");
      if (!option) return;
      evt.preventDefault();
      pick(option);
    });

    input.addEventListener("blur", function () { close(); });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-search-select]:not([data-search-select-ready])").forEach(function (root) {
      root.setAttribute("data-search-select-ready", "");
      setup(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSettle", function (evt) { init(evt.target); });
})();
