// Client-side search over the labels of the release (records and ontology terms).
// The index is loaded by search-index.js (window.DIPONTOLOGY_INDEX); nothing is fetched from the network.
(function () {
  "use strict";
  var index = window.DIPONTOLOGY_INDEX || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  if (!input || !list) { return; }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = index.map(function (e) { return fold(e.label); });

  function show(query) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var words = fold(query).split(/\s+/).filter(function (w) { return w.length > 0; });
    if (words.length === 0) { return 0; }
    var shown = 0;
    for (var i = 0; i < index.length && shown < 50; i++) {
      var ok = words.every(function (w) { return folded[i].indexOf(w) >= 0; });
      if (!ok) { continue; }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = index[i].url;
      a.textContent = index[i].label;
      var kind = document.createElement("span");
      kind.className = "k";
      kind.textContent = index[i].kind;
      li.appendChild(a);
      li.appendChild(kind);
      list.appendChild(li);
      shown++;
    }
    return shown;
  }

  input.addEventListener("input", function () { show(input.value); });
  var params = new URLSearchParams(window.location.search);
  if (params.has("q")) {
    input.value = params.get("q");
  }
  var n = show(input.value);
  document.body.setAttribute("data-search-ready", String(index.length));
  document.body.setAttribute("data-search-results", String(n));
})();
