// The live drone map: zones, tracks (with their trail) and operator positions, updated by server-sent events.
// Tiles come from the configured URL; with none, or when tiles cannot be reached, a plain vector map is drawn.
(function () {
  "use strict";
  // The page's words in its language (English, Arabic or French), from the JSON the server put in the page.
  var T = JSON.parse(document.getElementById("map-text").textContent);
  var lang = document.documentElement.lang || "en";
  var decimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function fill(template, name, value) { return template.replace("%(" + name + ")s", value); }
  function label(table, key) { return (table && table[key]) || key; }
  var el = document.getElementById("map");
  var map = L.map(el, { preferCanvas: false, worldCopyJump: true }).setView([46.8, 8.2], 7);
  var tileUrl = el.dataset.tileUrl || "";
  var note = document.getElementById("basemap-note");
  var vectorBase = null;
  var flash = document.getElementById("flash");
  if (new URLSearchParams(window.location.search).has("no_case")) { flash.hidden = false; flash.textContent = T.no_case; }

  function useVectorBase(reason) {
    if (vectorBase) return;
    el.classList.add("vector");
    vectorBase = L.layerGroup().addTo(map);
    // A graticule every 10 degrees, and the built-in coastlines and borders (Natural Earth 1:110m).
    for (var lat = -80; lat <= 80; lat += 10) {
      L.polyline([[lat, -180], [lat, 180]], { color: "#d8dee4", weight: 0.8, interactive: false }).addTo(vectorBase);
    }
    for (var lon = -180; lon <= 180; lon += 10) {
      L.polyline([[-85, lon], [85, lon]], { color: "#d8dee4", weight: 0.8, interactive: false }).addTo(vectorBase);
    }
    fetch(el.dataset.coastlinesUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (geo) {
        L.geoJSON(geo, { style: { color: "#6e7781", weight: 1, opacity: 0.8 }, interactive: false }).addTo(vectorBase);
        el.dataset.coastlines = "drawn";
      });
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
        useVectorBase(T.tiles_unreachable);
      }
    });
    tiles.on("load", function () { if (!vectorBase) el.dataset.basemap = "tiles"; });
    tiles.addTo(map);
  } else {
    useVectorBase(T.no_tiles);
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

  // A track or alert links to the track's review case (the server finds it; a track without alerts has none).
  function caseLink(trackId, uasId, synthetic) {
    var a = document.createElement("a");
    a.href = el.dataset.caseBase + encodeURIComponent(trackId);
    a.className = "case-link";
    a.appendChild(text("bdi", "", uasId));
    if (synthetic) a.appendChild(text("span", "synthetic", " " + T.no_basic_id));
    return a;
  }

  // Replay: a slider steps through one flight's positions (a live track's trail as this page saw it, or a recent
  // flight's whole path); the "Replay" button of a track or a recent flight chooses it.
  var replayBox = document.getElementById("replay-box");
  var replay = document.getElementById("map-replay");
  var replayAt = document.getElementById("map-replay-at");
  var replayMarker = L.circleMarker([0, 0], { radius: 8, color: "#0969da", fillOpacity: 0.9, className: "replay-marker" });
  var replayPath = [];
  function showReplay(i) {
    var p = replayPath[i];
    if (!p) return;
    replayMarker.setLatLng(p).addTo(map);
    replayAt.textContent = (i + 1) + " / " + replayPath.length;
    el.dataset.replayIndex = String(i);
  }
  function chooseReplay(name, path) {
    replayPath = (path || []).slice();
    replayBox.hidden = !replayPath.length;
    document.getElementById("map-replay-track").textContent = name;
    replay.max = String(Math.max(replayPath.length - 1, 0));
    replay.value = replay.max;
    el.dataset.replayTrack = name;
    el.dataset.replayPositions = String(replayPath.length);
    showReplay(replayPath.length - 1);
  }
  replay.addEventListener("input", function () { showReplay(Number(replay.value)); });
  function replayButton(name, path) {
    var b = text("button", "replay-button", label(T, "replay"));
    b.type = "button";
    b.addEventListener("click", function () { chooseReplay(name, typeof path === "function" ? path() : path); });
    return b;
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
      li.appendChild(caseLink(t.id, t.uas_id, t.id_synthetic));
      li.appendChild(text("span", "verdict-" + t.verdict, " " + label(T.verdict, t.verdict)));
      li.appendChild(replayButton(t.uas_id, function () { return tracks[id] ? tracks[id].trail : []; }));
      if (t.allowance && t.allowance.active) {
        li.appendChild(text("div", "allowance",
                            fill(T.authorised, "purpose", t.allowance.purpose || t.allowance.bank || T.allowlist)));
      }
      if (t.reasons && t.reasons.length) {
        // A reason is "rule: detail": the rule's name in the page's language, the detail (measured values) beside.
        var reasons = text("div", "reasons", "");
        t.reasons.forEach(function (r, i) {
          var cut = r.indexOf(": ");
          var rule = cut < 0 ? r : r.slice(0, cut);
          var item = text("span", "reason", (i ? "; " : "") + label(T.rule, rule));
          item.dataset.rule = rule;
          if (cut >= 0) item.title = r.slice(cut + 2);
          reasons.appendChild(item);
        });
        li.appendChild(reasons);
      }
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
      entry.marker.on("click", function () { window.location.href = el.dataset.caseBase + encodeURIComponent(t.id); });
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
        .bindTooltip(t.uas_id + " · " + label(T.verdict, t.verdict) +
                     (t.speed_mps !== null ? " · " + fill(T.speed, "speed", decimal.format(t.speed_mps)) : ""));
      if (t.operator_lat !== null && t.operator_lon !== null) {
        var op = [t.operator_lat, t.operator_lon];
        entry.op.setLatLng(op).addTo(entry.group).bindTooltip(fill(T.operator_of, "uas_id", t.uas_id));
        entry.link.setLatLngs([here, op]).addTo(entry.group);
      }
      if (!fitted) { map.setView(here, 14); fitted = true; }
    }
    renderTrackList();
  }

  function addAlert(a, atTop) {
    var li = document.createElement("li");
    li.dataset.alertId = a.id;
    var kind = li.appendChild(text("span", "kind " + a.kind, label(T.kind, a.kind)));
    kind.dataset.kind = a.kind;
    li.appendChild(caseLink(a.track_id, a.uas_id + (a.zone_name ? " · " + a.zone_name : ""), false));
    if (a.details && a.details.altitude === "possibly inside") li.appendChild(text("div", "possible", T.possibly_inside));
    li.appendChild(text("div", "reasons", new Date(a.at).toLocaleTimeString(lang)));
    if (atTop && alertsList.firstChild) alertsList.insertBefore(li, alertsList.firstChild);
    else alertsList.appendChild(li);
  }

  // Tracks lost within the recent window: their whole path, greyed, so that a flight is seen after it ended.
  var recentLayer = L.layerGroup().addTo(map);
  function drawRecent(list) {
    var box = document.getElementById("recent");
    recentLayer.clearLayers();
    box.textContent = "";
    document.getElementById("recent-count").textContent = String(list.length);
    document.getElementById("recent-section").hidden = !list.length;
    list.forEach(function (t) {
      if (t.path && t.path.length) {
        L.polyline(t.path, { color: "#6e7781", weight: 2, opacity: 0.8, dashArray: "6 4" }).addTo(recentLayer);
        L.circleMarker(t.path[t.path.length - 1], { radius: 5, color: "#6e7781", fillOpacity: 0.6 })
          .bindTooltip(t.uas_id).addTo(recentLayer);
      }
      var li = document.createElement("li");
      li.dataset.trackId = t.id;
      li.appendChild(caseLink(t.id, t.uas_id, t.id_synthetic));
      li.appendChild(text("span", "verdict-" + t.verdict, " " + label(T.verdict, t.verdict)));
      li.appendChild(replayButton(t.uas_id, t.path || []));
      li.appendChild(text("div", "reasons", fill(T.last_heard, "when", new Date(t.last_seen).toLocaleString(lang))));
      box.appendChild(li);
    });
  }

  // Sensors: where each stands, the range it is expected to hear, and how sure its position is.
  var sensorLayer = L.layerGroup().addTo(map);
  function drawSensors(list) {
    sensorLayer.clearLayers();
    (list || []).forEach(function (s) {
      L.circle([s.lat, s.lon], { radius: s.range_m, color: "#1a7f37", weight: 1, dashArray: "3 5", fillOpacity: 0.03,
        interactive: false, className: "sensor-range" }).addTo(sensorLayer);
      L.circleMarker([s.lat, s.lon], { radius: 5, color: "#1a7f37", fillOpacity: 1, className: "sensor" })
        .bindTooltip(fill(T.sensor, "name", s.name || s.id)).addTo(sensorLayer);
    });
    el.dataset.sensors = String((list || []).length);
  }

  fetch(el.dataset.feed, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (feed) {
    zoneLayer.addData(feed.zones);
    drawSensors(feed.sensors);
    drawRecent(feed.recent || []);
    if (!feed.tracks.length && (feed.recent || []).length && feed.recent[0].path.length) {
      map.fitBounds(L.latLngBounds(feed.recent[0].path).extend(zoneLayer.getBounds()), { maxZoom: 15 });
      fitted = true;
    } else if (feed.zones.features.length && !feed.tracks.length) {
      map.fitBounds(zoneLayer.getBounds(), { maxZoom: 15 });
      fitted = true;
    }
    feed.tracks.forEach(upsertTrack);
    feed.alerts.forEach(function (a) { addAlert(a, false); });
    var status = document.getElementById("status");
    var source = new EventSource(el.dataset.stream + "?after=" + feed.last_alert_id + "&since=" +
                                 encodeURIComponent(feed.now));
    source.addEventListener("open", function () { status.dataset.state = "live"; status.textContent = T.live; });
    source.addEventListener("error", function () {
      status.dataset.state = "down";
      status.textContent = T.reconnecting;
    });
    source.addEventListener("track", function (e) { upsertTrack(JSON.parse(e.data)); });
    source.addEventListener("alert", function (e) { addAlert(JSON.parse(e.data), true); });
    source.addEventListener("zones", function (e) { zoneLayer.clearLayers(); zoneLayer.addData(JSON.parse(e.data)); });
  });
})();
