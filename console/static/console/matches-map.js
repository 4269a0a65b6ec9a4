// The referral page's map of matches: the countries' outlines and each match's nearest facility
// (a confidential shelter at its 0.1 degree cell, as the API shows it), with what it offers.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("matches-map");
    if (!element || typeof L === "undefined") { return; }
    var points = JSON.parse(document.getElementById("match-points").textContent);
    var outlines = JSON.parse(document.getElementById("area-outlines").textContent);
    var map = L.map(element, { attributionControl: false }).setView([10, 110], 3);
    L.geoJSON(outlines, { interactive: false,
      style: { color: "#12355b", weight: 1, fillColor: "#f7f4ea", fillOpacity: 1 } }).addTo(map);
    var bounds = [];
    points.forEach(function (match) {
      var marker = L.circleMarker([match.lat, match.lon], { radius: 7, color: "#c25400", fillOpacity: 0.8 });
      marker.bindTooltip(match.name + ": " + match.services).addTo(map);
      marker.getElement().setAttribute("data-match", match.name);
      bounds.push([match.lat, match.lon]);
    });
    map.fitBounds(bounds, { maxZoom: 8, padding: [20, 20] });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
