// Collection points page: "use my location" and the map, both only on request.
// The list works without this file; the map is lazy-map.js's, which fetches Leaflet only when it is opened.
(function () {
  "use strict";
  var form = document.querySelector("form.locator-search");
  var details = document.getElementById("map-details");
  var live = document.getElementById("live-status");
  var map = null;
  var pointsLayer = null;
  var originLayer = null;

  function say(message) {
    if (live && message) { live.textContent = message; }
  }

  function submit() {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  // --- "use my location": the position is asked for only when the button is pressed ---------------
  if (form) {
    var button = document.getElementById("use-location");
    var query = document.getElementById("q");
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var setPosition = function (latitude, longitude) {
      var enabled = latitude !== "";
      lat.value = latitude;
      lon.value = longitude;
      lat.disabled = !enabled;
      lon.disabled = !enabled;
    };
    if (button && navigator.geolocation) {
      button.hidden = false;
      button.addEventListener("click", function () {
        say(button.getAttribute("data-asking"));
        navigator.geolocation.getCurrentPosition(function (position) {
          // Four decimals (about 10 m) are enough to rank the points, and no more is sent.
          setPosition(position.coords.latitude.toFixed(4), position.coords.longitude.toFixed(4));
          query.value = "";
          submit();
        }, function (error) {
          say(button.getAttribute(error.code === 1 ? "data-denied" : "data-unavailable"));
        }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
      });
    }
    // Typing a place replaces the position.
    query.addEventListener("input", function () { setPosition("", ""); });
  }

  // A refused search (400: invalid position) still shows its explanation in the results region.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "locator-results") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // --- the map (lazy-map.js loads Leaflet when it is opened) -------------------------------------------
  if (!details || !window.lazyMap) { return; }
  var container = document.getElementById("locator-map");
  var note = document.getElementById("map-note");

  function results() { return document.getElementById("locator-results"); }

  function popupContent(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.name;
    var address = document.createElement("p");
    address.textContent = feature.properties.address + ", " + feature.properties.postcode + " " + feature.properties.commune;
    box.appendChild(link);
    box.appendChild(address);
    return box;
  }

  function showPoints() {
    var region = results();
    if (!map || !region) { return; }
    fetch(region.getAttribute("data-geojson"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (collection) {
        if (pointsLayer) { pointsLayer.remove(); }
        if (originLayer) { originLayer.remove(); originLayer = null; }
        pointsLayer = window.L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            return window.L.marker(latlng, { title: feature.properties.name, alt: feature.properties.name, keyboard: true });
          },
          onEachFeature: function (feature, layer) { layer.bindPopup(popupContent(feature)); }
        }).addTo(map);
        var bounds = pointsLayer.getBounds();
        var originLat = region.getAttribute("data-origin-lat");
        if (originLat) {
          var origin = [parseFloat(originLat), parseFloat(region.getAttribute("data-origin-lon"))];
          originLayer = window.L.circleMarker(origin, { radius: 8, color: "#a4161a", weight: 3, interactive: false }).addTo(map);
          bounds = bounds.isValid() ? bounds.extend(origin) : window.L.latLngBounds([origin, origin]);
        }
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); }
        container.setAttribute("data-markers", String(collection.features.length));
      })
      .catch(function () { say(details.getAttribute("data-failed")); });
  }

  window.lazyMap(details, container, note, function (shown) {
    map = shown;
    showPoints();
  });

  // The map follows the list: new filters, new points.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "locator-results") { showPoints(); }
  });
})();
