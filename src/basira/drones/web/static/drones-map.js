// The live drone map: zones, tracks (with their trail) and operator positions, updated by server-sent events.
// Tiles come from the configured URL; with none, or when tiles cannot be reached, a plain vector map is drawn.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var map = L.map(el, { preferCanvas: false, worldCopyJump: true }).setView([46.8, 8.2], 7);
  var tileUrl = el.dataset.tileUrl || "";
  var note = document.getElementById("basemap-note");
  var vectorBase = null;

  function useVectorBase(reason) {
    if (vectorBase) return;
    el.classList.add("vector");
    vectorBase = L.layerGroup().addTo(map);
    // A graticule every degree, so that distances and directions still read on a blank map.
    for (var lat = -80; lat <= 80; lat += 1) {
      L.polyline([[lat, -180], [lat, 180]], { color: "#c9d1d9", weight: lat % 10 === 0 ? 1.2 : 0.5,
        interactive: false }).addTo(vectorBase);
    }
    for (var lon = -180; lon <= 180; lon += 1) {
      L.polyline([[-85, lon], [85, lon]], { color: "#c9d1d9", weight: lon % 10 === 0 ? 1.2 : 0.5,
        interactive: false }).addTo(vectorBase);
    }
    note.hidden = false;
    note.textContent = reason;
    el.dataset.basemap = "vector";
  }

  if (tileUrl) {
    var errors = 0;
    var tiles = L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
    tiles.on("tileerror", function () {
      errors += 1;
      if (errors === 3) {
        map.removeLayer(tiles);
        useVectorBase("Map tiles cannot be reached: plain vector map.");
      }
    });
    tiles.on("load", function () { if (!vectorBase) el.dataset.basemap = "tiles"; });
    tiles.addTo(map);
  } else {
    useVectorBase("No tile server configured: plain vector map.");
  }

  var zoneLayer = L.geoJSON(null, {
    style: function () { return { color: "#cf222e", weight: 1.5, fillOpacity: 0.15 }; },
    onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name || f.properties.ref); }
  }).addTo(map);
  var tracks = {};
  var alertsList = document.getElementById("alerts");
  var tracksList = document.getElementById("tracks");
  var fitted = false;

  function text(tag, cls, value) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    n.textContent = value;
    return n;
  }

  function renderTrackList() {
    tracksList.textContent = "";
    var ids = Object.keys(tracks);
    document.getElementById("track-count").textContent = String(ids.length);
    ids.forEach(function (id) {
      var t = tracks[id].data;
      var li = document.createElement("li");
      li.dataset.trackId = id;
      li.dataset.position = t.lat !== null ? t.lat.toFixed(6) + "," + t.lon.toFixed(6) : "";
      li.appendChild(text("strong", "", t.uas_id));
      li.appendChild(text("span", "verdict-" + t.verdict, " " + t.verdict));
      if (t.allowance && t.allowance.active) {
        li.appendChild(text("div", "allowance", "authorised: " + (t.allowance.purpose || t.allowance.bank || "allowlist")));
      }
      if (t.reasons && t.reasons.length) li.appendChild(text("div", "reasons", t.reasons.join("; ")));
      tracksList.appendChild(li);
    });
  }

  function upsertTrack(t) {
    var entry = tracks[t.id];
    var color = t.verdict === "suspect" ? "#cf222e" : "#0969da";
    if (t.status === "lost") {
      if (entry) { entry.group.remove(); delete tracks[t.id]; renderTrackList(); }
      return;
    }
    if (!entry) {
      entry = tracks[t.id] = { group: L.layerGroup().addTo(map), trail: [], data: t };
      entry.line = L.polyline([], { color: color, weight: 2, opacity: 0.7 }).addTo(entry.group);
      entry.marker = L.circleMarker([0, 0], { radius: 7, color: color, fillOpacity: 0.9 });
      entry.op = L.circleMarker([0, 0], { radius: 5, color: "#8250df", fillOpacity: 0.9 });
      entry.link = L.polyline([], { color: "#8250df", weight: 1, dashArray: "4 4" });
    }
    entry.data = t;
    if (t.lat !== null && t.lon !== null) {
      var here = [t.lat, t.lon];
      entry.trail.push(here);
      if (entry.trail.length > 300) entry.trail.shift();
      entry.line.setLatLngs(entry.trail).setStyle({ color: color });
      entry.marker.setLatLng(here).setStyle({ color: color }).addTo(entry.group)
        .bindTooltip(t.uas_id + " · " + t.verdict + (t.speed_mps !== null ? " · " + t.speed_mps.toFixed(1) + " m/s" : ""));
      if (t.operator_lat !== null && t.operator_lon !== null) {
        var op = [t.operator_lat, t.operator_lon];
        entry.op.setLatLng(op).addTo(entry.group).bindTooltip("operator of " + t.uas_id);
        entry.link.setLatLngs([here, op]).addTo(entry.group);
      }
      if (!fitted) { map.setView(here, 14); fitted = true; }
    }
    renderTrackList();
  }

  function addAlert(a, atTop) {
    var li = document.createElement("li");
    li.dataset.alertId = a.id;
    li.appendChild(text("span", "kind " + a.kind, a.kind));
    li.appendChild(text("span", "", a.uas_id + (a.zone_name ? " · " + a.zone_name : "")));
    li.appendChild(text("div", "reasons", new Date(a.at).toLocaleTimeString()));
    if (atTop && alertsList.firstChild) alertsList.insertBefore(li, alertsList.firstChild);
    else alertsList.appendChild(li);
  }

  fetch(el.dataset.feed, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (feed) {
    zoneLayer.addData(feed.zones);
    if (feed.zones.features.length && !feed.tracks.length) {
      map.fitBounds(zoneLayer.getBounds(), { maxZoom: 15 });
      fitted = true;
    }
    feed.tracks.forEach(upsertTrack);
    feed.alerts.forEach(function (a) { addAlert(a, false); });
    var status = document.getElementById("status");
    var source = new EventSource(el.dataset.stream + "?after=" + feed.last_alert_id + "&since=" +
                                 encodeURIComponent(feed.now));
    source.addEventListener("open", function () { status.dataset.state = "live"; status.textContent = "live"; });
    source.addEventListener("error", function () { status.dataset.state = "down"; status.textContent = "reconnecting…"; });
    source.addEventListener("track", function (e) { upsertTrack(JSON.parse(e.data)); });
    source.addEventListener("alert", function (e) { addAlert(JSON.parse(e.data), true); });
    source.addEventListener("zones", function (e) { zoneLayer.clearLayers(); zoneLayer.addData(JSON.parse(e.data)); });
  });
})();
