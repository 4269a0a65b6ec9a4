/* The console's maps: the countries (the project's own boundaries) as the base layer, a tile
   layer only when the deployment configures one, then the page's features (coverage polygons,
   facilities). Everything it needs comes from data- attributes of #map: no inline script. On the
   coverage page, a polygon drawn with Leaflet.draw fills in the form's GeoJSON field. On the
   directory, the activities layer (#map-activities: its feed and its toggle) is drawn on top. */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : { type: "FeatureCollection", features: [] }; });
  }

  function popup(properties) {
    var lines = [properties.name || properties.organisation || ""];
    if (properties.layer === "facility") {
      lines.push(properties.organisation + " · " + properties.kind);
      if (!properties.location_exact) { lines.push("Shown at its 0.1° cell"); }
    }
    if (properties.layer === "activity") {
      lines.push(properties.organisation + " · " + properties.kind);
      lines.push(properties.start + " – " + (properties.end || "…"));
      if (properties.partners && properties.partners.length) { lines.push(properties.partners.join(", ")); }
    }
    if (properties.services) { lines.push(properties.services.join(", ")); }
    var element = document.createElement("div");
    lines.forEach(function (text) { var p = document.createElement("p"); p.textContent = text; element.appendChild(p); });
    return element;
  }

  // Loaded once; the checkbox adds it to the map or takes it off.
  function activitiesLayer(map, element, toggle) {
    var activities = L.geoJSON(null, {
      style: { className: "layer-activity", color: "#2e7d32", weight: 2, dashArray: "4 3", fillOpacity: 0.1 },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { className: "layer-activity", radius: 5, color: "#2e7d32", fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); }
    });
    function show() {
      if (toggle.checked) { activities.addTo(map); } else { map.removeLayer(activities); }
      element.setAttribute("data-activities-shown", String(toggle.checked));
    }
    getJSON(toggle.dataset.activitiesUrl).then(function (data) {
      activities.addData(data);
      element.setAttribute("data-activities", String(activities.getLayers().length));
      show();
    });
    toggle.addEventListener("change", show);
  }

  function start(element) {
    var map = L.map(element, { preferCanvas: false }).setView([10, 110], 4);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    var countries = L.geoJSON(null, { style: { className: "layer-country", color: "#777", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 } }).addTo(map);
    var coverage = L.geoJSON(null, {
      style: { className: "layer-coverage", color: "#1f5f99", weight: 1, fillOpacity: 0.15 },
      onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); },
      filter: function (feature) { return feature.properties.layer === "coverage"; }
    }).addTo(map);
    var facilities = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { className: "layer-facility", radius: 6, color: "#8a2b00", fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); },
      filter: function (feature) { return feature.properties.layer === "facility"; }
    }).addTo(map);
    element.setAttribute("data-state", "loading");
    Promise.all([getJSON(element.dataset.countriesUrl), getJSON(element.dataset.featuresUrl)]).then(function (data) {
      countries.addData(data[0]);
      coverage.addData(data[1]);
      facilities.addData(data[1]);
      var bounds = coverage.getBounds();
      if (facilities.getLayers().length) { bounds.extend(facilities.getBounds()); }
      if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 8 }); }
      element.setAttribute("data-countries", String(countries.getLayers().length));
      element.setAttribute("data-coverage", String(coverage.getLayers().length));
      element.setAttribute("data-facilities", String(facilities.getLayers().length));
      element.setAttribute("data-state", "ready");
    });
    var toggle = document.getElementById("map-activities");
    if (toggle && toggle.dataset.activitiesUrl) { activitiesLayer(map, element, toggle); }
    if (element.dataset.drawInto && L.Control && L.Control.Draw) {
      var field = document.getElementById(element.dataset.drawInto);
      var drawn = new L.FeatureGroup().addTo(map);
      map.addControl(new L.Control.Draw({
        edit: { featureGroup: drawn },
        draw: { polygon: true, polyline: false, rectangle: true, circle: false, marker: false, circlemarker: false }
      }));
      map.on(L.Draw.Event.CREATED, function (event) {
        drawn.clearLayers();
        drawn.addLayer(event.layer);
        if (field) { field.value = JSON.stringify(event.layer.toGeoJSON().geometry); }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("map");
    if (element && window.L) { start(element); }
  });
})();
