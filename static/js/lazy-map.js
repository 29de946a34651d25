// The map of a page, only on request: Leaflet (about 43 KB gzipped) is fetched when its <details> is opened.
// The <details> carries the Leaflet files, the tile server and the words (data-leaflet-js, data-leaflet-css,
// data-tile-url, data-tile-attribution, data-zoom-in, data-zoom-out, data-failed); the page's own script
// passes what to draw once the map stands (the collection points, the estate's sites).
(function () {
  "use strict";

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element[name] = attributes[name]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  // Opening `details` shows the map in `container` and calls draw(map); the hint `note` is hidden then.
  // Returns say(message), which announces a message in the page's live region.
  window.lazyMap = function (details, container, note, draw) {
    var live = document.getElementById("live-status");
    var map = null;
    var loading = null;

    function say(message) {
      if (live && message) { live.textContent = message; }
    }

    function start() {
      container.hidden = false;
      map = window.L.map(container, { scrollWheelZoom: false, zoomControl: false }).setView([44.84, -0.58], 11);
      window.L.control.zoom({
        zoomInTitle: details.getAttribute("data-zoom-in"),
        zoomOutTitle: details.getAttribute("data-zoom-out")
      }).addTo(map);
      window.L.tileLayer(details.getAttribute("data-tile-url"), {
        maxZoom: 19,
        attribution: details.getAttribute("data-tile-attribution")
      }).addTo(map);
      if (note) { note.hidden = true; }
      draw(map);
    }

    details.addEventListener("toggle", function () {
      if (!details.open) { return; }
      if (map) { map.invalidateSize(); return; }
      if (loading) { return; }
      // The stylesheet first: Leaflet finds its marker images through it.
      loading = load("link", { rel: "stylesheet", href: details.getAttribute("data-leaflet-css") })
        .then(function () { return load("script", { src: details.getAttribute("data-leaflet-js") }); })
        .then(start)
        .catch(function () { loading = null; say(details.getAttribute("data-failed")); });
    });
    return say;
  };
})();
