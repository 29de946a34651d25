// Estate sites page: the map, only on request (the table above it gives the same figures), through lazy-map.js.
(function () {
  "use strict";
  var details = document.getElementById("map-details");
  if (!details || !window.lazyMap) { return; }
  var container = document.getElementById("estate-map");
  var say = null;

  function showSites(map) {
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

  say = window.lazyMap(details, container, document.getElementById("map-note"), showSites);
})();
