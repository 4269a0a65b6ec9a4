// The new-referral map: the areas' outlines (from the project's own boundaries; a tile layer only
// when the deployment names one), and a click that picks the area and a point. The point goes to
// the server in hidden fields, is used once to find its area, and is never shown back.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("location-map");
    if (!element || typeof L === "undefined") { return; }
    var outlines = JSON.parse(document.getElementById("area-outlines").textContent);
    var select = document.getElementById("id_area");
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var status = document.getElementById("map-status");
    var map = L.map(element, { attributionControl: false }).setView([10, 110], 3);
    if (element.dataset.tiles) { L.tileLayer(element.dataset.tiles, { maxZoom: 12 }).addTo(map); }
    var marker = null;
    var outlinesLayer = L.geoJSON(outlines, {
      style: { color: "#12355b", weight: 1, fillColor: "#f7f4ea", fillOpacity: 1 },
      onEachFeature: function (feature, layer) {
        layer.on("click", function (event) {
          lat.value = event.latlng.lat.toFixed(4);
          lon.value = event.latlng.lng.toFixed(4);
          select.value = String(feature.id);
          if (marker) { marker.remove(); }
          marker = L.circleMarker(event.latlng, { radius: 6, color: "#c25400" }).addTo(map);
          status.textContent = "Chosen on the map: " + feature.properties.name +
            ". The point is generalised to its area and never stored.";
        });
      }
    }).addTo(map);
    outlinesLayer.eachLayer(function (layer) {
      var path = layer.getElement && layer.getElement();
      if (path) { path.setAttribute("data-area", String(layer.feature.id)); }
    });
    select.addEventListener("change", function () {
      lat.value = ""; lon.value = "";
      if (marker) { marker.remove(); marker = null; }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
