// Estate sites page: the map, only on request (the table above it gives the same figures).
// Leaflet (about 43 KB gzipped) is fetched only when the map is opened, as on the collection points page.
(function () {
  "use strict";
  var details = document.getElementById("map-details");
  if (!details) { return; }
  var container = document.getElementById("estate-map");
  var note = document.getElementById("map-note");
  var live = document.getElementById("live-status");
  var map = null;

  function say(message) {
    if (live && message) { live.textContent = message; }
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element[name] = attributes[name]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function showSites() {
    fetch(details.getAttribute("data-geojson"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (collection) {
        var largest = 1;
        collection.features.forEach(function (f) { largest = Math.max(largest, f.properties.kgco2e || 0); });
        var layer = window.L.geoJSON(collection, {
          // The circle's area follows the site's footprint; its name and figure are in the popup.
          pointToLayer: function (feature, latlng) {
            var radius = 4 + 20 * Math.sqrt((feature.properties.kgco2e || 0) / largest);
            return window.L.circleMarker(latlng, { radius: radius, color: "#1b4332", weight: 2, fillOpacity: 0.35 });
          },
          onEachFeature: function (feature, marker) {
            var box = document.createElement("p");
            box.textContent = feature.properties.name + " – " + feature.properties.label;
            marker.bindPopup(box);
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); }
        container.setAttribute("data-markers", String(collection.features.length));
      })
      .catch(function () { say(details.getAttribute("data-failed")); });
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
    showSites();
  }

  var loading = null;
  details.addEventListener("toggle", function () {
    if (!details.open) { return; }
    if (map) { map.invalidateSize(); return; }
    if (loading) { return; }
    // The stylesheet first: Leaflet finds its images through it.
    loading = load("link", { rel: "stylesheet", href: details.getAttribute("data-leaflet-css") })
      .then(function () { return load("script", { src: details.getAttribute("data-leaflet-js") }); })
      .then(start)
      .catch(function () { loading = null; say(details.getAttribute("data-failed")); });
  });
})();
