// A drone case's track on the drone map's layers: built-in coastlines, zones, sensors and their range, the path,
// its first and last positions and the operator; a slider replays the flight position by position.
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || !window.L) return;
  var map = L.map(el, { worldCopyJump: true }).setView([20, 0], 2);
  fetch(el.dataset.coastlinesUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (geo) {
      L.geoJSON(geo, { style: { color: "#6e7781", weight: 1, opacity: 0.8 }, interactive: false }).addTo(map);
    });
  fetch(el.dataset.trackUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
    var zones = L.geoJSON(d.zones, {
      style: function () { return { color: "#cf222e", weight: 1.5, fillOpacity: 0.15 }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name || f.properties.ref); }
    }).addTo(map);
    (d.sensors || []).forEach(function (s) {
      L.circle([s.lat, s.lon], { radius: s.range_m, color: "#1a7f37", weight: 1, dashArray: "3 5", fillOpacity: 0.03,
        interactive: false }).addTo(map);
      L.circleMarker([s.lat, s.lon], { radius: 4, color: "#1a7f37", fillOpacity: 1 }).addTo(map);
    });
    var pts = d.positions || [];
    var path = pts.map(function (p) { return [p.lat, p.lon]; });
    var bounds = L.latLngBounds(path);
    if (path.length) {
      L.polyline(path, { color: "#0f5e6e", weight: 3 }).addTo(map);
      L.circleMarker(path[0], { radius: 6, color: "#0f5e6e", fillColor: "#fff", fillOpacity: 1 }).addTo(map);
      L.circleMarker(path[path.length - 1], { radius: 7, color: "#b3261e", fillOpacity: 1 }).addTo(map);
    }
    var seen = {};
    pts.forEach(function (p) {
      if (p.operator_lat === null || p.operator_lon === null) return;
      var key = p.operator_lat.toFixed(5) + "," + p.operator_lon.toFixed(5);
      if (seen[key]) return;
      seen[key] = true;
      L.circleMarker([p.operator_lat, p.operator_lon], { radius: 5, color: "#6b4a00", fillOpacity: 0.9,
        className: "operator" }).addTo(map);
      bounds.extend([p.operator_lat, p.operator_lon]);
    });
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
    else if (zones.getLayers().length) map.fitBounds(zones.getBounds(), { maxZoom: 15 });
    // The replay: one position per step, its time beside the slider.
    var slider = document.getElementById("case-replay");
    var at = document.getElementById("case-replay-at");
    var here = L.circleMarker([0, 0], { radius: 8, color: "#0969da", fillOpacity: 0.9, className: "replay-marker" });
    function show(i) {
      var p = pts[i];
      if (!p) return;
      here.setLatLng([p.lat, p.lon]).addTo(map);
      at.textContent = p.at.replace("T", " ").replace("Z", "").slice(0, 19) + (p.alt_m !== null ?
        " · " + Math.round(p.alt_m) + " m" : "");
      el.dataset.replayIndex = String(i);
    }
    slider.max = String(Math.max(pts.length - 1, 0));
    slider.value = slider.max;
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    show(pts.length - 1);
    el.dataset.positions = String(pts.length);
  });
})();
