// The SPARQL editor of the release: YASGUI (vendored under assets/vendor/yasgui/) pointed at the release's endpoint,
// with the named queries as examples. Nothing is fetched from the internet: prefix completion reads the release's
// own prefixes (assets/prefixes.json); the completers that ask Linked Open Vocabularies are switched off.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("dipontology-editor-config").textContent);
  var root = document.getElementById("yasgui");
  if (!root || !window.Yasgui) { return; }
  var endpoint = new URL(config.endpoint, window.location.href).href;
  document.getElementById("endpoint-shown").textContent = endpoint;
  var examples = {};
  config.examples.forEach(function (e) { examples[e.name] = e; });

  window.Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  window.Yasgui.Yasqe.defaults.prefixCcApi = new URL(config.prefixes, window.location.href).href;
  var first = examples[config.first];
  var yasgui = new window.Yasgui(root, {
    persistenceId: null,
    populateFromUrl: false,
    copyEndpointOnNewTab: true,
    tabName: first ? first.title : "Query",
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: { value: first ? first.query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10", editorHeight: "320px" },
    yasr: { defaultPlugin: "table", prefixes: config.prefixMap }
  });
  window.dipontologyEditor = yasgui;

  // YASGUI's own markup lacks a few accessible names and roles: add them whenever it redraws
  var names = [[".autocomplete", "SPARQL endpoint"], ["textarea", "SPARQL query"], [".tableSizer", "Rows per page"],
               ["input[type=search], .search input", "Filter the results"]];
  function accessible() {
    names.forEach(function (pair) {
      Array.prototype.forEach.call(root.querySelectorAll(pair[0]), function (el) {
        if (!el.getAttribute("aria-label")) { el.setAttribute("aria-label", pair[1]); }
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll(".CodeMirror-scroll"), function (el) {
      if (el.getAttribute("tabindex") !== "0") { el.setAttribute("tabindex", "0"); }
    });
  }
  accessible();
  new MutationObserver(accessible).observe(root, { childList: true, subtree: true });

  function open(name, run) {
    var e = examples[name];
    if (!e) { return null; }
    var tab = yasgui.getTab();
    tab.setQuery(e.query);
    tab.setName(e.title);
    document.body.setAttribute("data-editor-example", name);
    if (run) {
      document.body.setAttribute("data-editor-state", "running");
      return tab.query().then(function () {
        document.body.setAttribute("data-editor-state", "done");
      }, function () {
        document.body.setAttribute("data-editor-state", "failed");
      });
    }
    return null;
  }

  Array.prototype.forEach.call(document.querySelectorAll("button.load[data-query]"), function (b) {
    b.addEventListener("click", function () {
      open(b.getAttribute("data-query"), false);
      root.scrollIntoView();
    });
  });
  yasgui.on("queryResponse", function (_y, tab) {
    var yasr = tab.getYasr();
    var n = yasr && yasr.results && yasr.results.getBindings ? (yasr.results.getBindings() || []).length : -1;
    document.body.setAttribute("data-editor-rows", String(n));
  });
  var params = new URLSearchParams(window.location.search);
  var wanted = params.get("example") || (window.location.hash ? window.location.hash.slice(1) : "");
  if (wanted && examples[wanted]) {
    open(wanted, params.get("run") === "1");
  }
  document.body.setAttribute("data-editor-ready", String(config.examples.length));
})();
