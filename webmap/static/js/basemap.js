/* Behaviour shared by the map pages: popups built from text nodes (never HTML),
   facility icons, and the address search. Loaded before the Folium map script. */
(function () {
  "use strict";

  var features = {}; // layer name -> { feature id -> Leaflet layer }
  var hoverable = window.matchMedia && window.matchMedia("(hover: hover)").matches;

  function textElement(tag, text, className) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "jt-popup";
    box.appendChild(textElement("h3", properties.label || ""));
    var table = document.createElement("table");
    (properties.rows || []).forEach(function (row) {
      var tr = table.insertRow();
      tr.appendChild(textElement("th", row[0]));
      tr.appendChild(textElement("td", row[1]));
    });
    box.appendChild(table);
    return box;
  }

  function bindFeature(feature, layer, layerName) {
    var properties = feature.properties || {};
    (features[layerName] = features[layerName] || {})[feature.id] = layer;
    if (properties.colour && layer.setIcon) {
      // The marker is a button to screen readers: its name is the facility's (Leaflet puts it in title and alt).
      layer.options.title = layer.options.alt = properties.label || "";
      var pin = document.createElement("span");
      pin.className = "jt-facility-pin";
      pin.style.setProperty("--c", properties.colour);
      layer.setIcon(L.divIcon({
        className: "jt-facility", html: pin, iconSize: [28, 36], iconAnchor: [14, 36], popupAnchor: [0, -32]
      }));
    }
    layer.bindPopup(function () { return popupContent(properties); }, {maxWidth: 320});
    if (hoverable && properties.label) {
      layer.bindTooltip(textElement("span", properties.label), {sticky: true});
    }
  }

  function attach(map, options) {
    var form = document.getElementById("jt-search");
    if (!form) return;
    var input = form.querySelector("input");
    var list = document.getElementById("jt-search-list");
    var status = document.getElementById("jt-search-status");
    options.search.forEach(function (entry) {
      var option = document.createElement("option");
      option.value = entry.text;
      list.appendChild(option);
    });

    function find(query) {
      var q = query.trim().toLowerCase();
      if (!q) return null;
      var exact = null, partial = null;
      options.search.forEach(function (entry) {
        var text = entry.text.toLowerCase();
        if (!exact && text === q) exact = entry;
        if (!partial && text.indexOf(q) !== -1) partial = entry;
      });
      return exact || partial;
    }

    function go() {
      var entry = find(input.value);
      if (!entry) {
        status.textContent = input.value.trim() ? options.messages.notFound : "";
        return;
      }
      var group = options.groups[entry.layer];
      if (group && !map.hasLayer(group)) map.addLayer(group);
      var hits = entry.ids.map(function (id) { return features[entry.layer][id]; })
                          .filter(Boolean);
      if (!hits.length) return;
      status.textContent = entry.text;
      map.fitBounds(L.featureGroup(hits).getBounds(), {maxZoom: 19, padding: [48, 48]});
      if (hits.length === 1) hits[0].openPopup();
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); go(); });
    input.addEventListener("change", go);
  }

  window.JintanMap = {bindFeature: bindFeature, attach: attach};
})();
