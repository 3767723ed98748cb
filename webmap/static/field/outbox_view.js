/* The outbox on the tablet's screen: the count on its button, what is waiting or was refused (with the
   server's words and a discard button), whether it is sending or must sign in again, and the reports
   still waiting as dashed rings on the map. */
(function () {
  "use strict";

  var kit = window.JintanFieldKit, el = window.JintanPage.el, format = window.JintanPage.format;
  var byId = kit.byId;

  /* app: the tablet app (static/field/field.js): map, config, project, outbox. */
  function OutboxView(app) {
    var map = app.map, m = app.config.messages, project = app.project;

    var localTime = kit.dateTimeFormat(app.config.lang);
    var pendingLayer = L.layerGroup().addTo(map);
    var KIND_LABELS = {report: m.kindReport, update: m.kindUpdate, photo: m.kindPhoto};

    function showOutbox(outboxState) {
      var entries = outboxState.entries;
      var count = byId("jt-outbox-count");
      count.textContent = String(entries.length);
      count.classList.toggle("jt-waiting", entries.length > 0);
      var status = byId("jt-outbox-status");
      status.textContent = outboxState.running ? m.sending
        : entries.length ? (navigator.onLine === false ? m.waitingOffline : m.waitingRetry) : "";
      byId("jt-signin").hidden = outboxState.problem !== "signin";
      byId("jt-signin-message").textContent = outboxState.message || "";
      var connection = byId("jt-connection");
      connection.classList.toggle("jt-sending", outboxState.running);

      var list = byId("jt-outbox-list");
      list.textContent = "";
      if (!entries.length) list.appendChild(el("li", "jt-empty", list.getAttribute("data-empty")));
      entries.forEach(function (entry) { list.appendChild(outboxItem(entry)); });

      pendingLayer.clearLayers();
      entries.forEach(function (entry) {
        if (!entry.point) return;
        L.marker(project.toMap(entry.point[0], entry.point[1]), {
          icon: L.divIcon({html: el("span", "jt-pending-dot"), className: "jt-pending", iconSize: [28, 28]}),
          title: entry.label || "", interactive: false, keyboard: false
        }).addTo(pendingLayer);
      });
    }

    function outboxItem(entry) {
      var item = el("li", "jt-outbox-item" + (entry.refused ? " jt-refused" : ""));
      var head = el("p", "jt-outbox-head");
      head.appendChild(el("span", "jt-kind", KIND_LABELS[entry.kind] || entry.kind));
      head.appendChild(el("strong", null, entry.label || ""));
      item.appendChild(head);
      var facts = [localTime.format(new Date(entry.createdAt))];
      if (entry.photos) facts.push(format(m.photoCount, entry.photos));
      facts.push(entry.refused ? m.refused : m.waiting);
      item.appendChild(el("p", "jt-hint", facts.join(" · ")));
      if (entry.refused && entry.message) item.appendChild(el("p", "jt-refusal", entry.message));
      var discard = el("button", "jt-discard", m.discard);
      discard.type = "button";
      discard.addEventListener("click", function () {
        // A second tap confirms: nothing waiting is thrown away by one slip of the finger.
        if (discard.getAttribute("data-confirm") !== "yes") {
          discard.setAttribute("data-confirm", "yes");
          discard.textContent = m.confirmDiscard;
          return;
        }
        app.outbox.discard(entry.group);
      });
      item.appendChild(discard);
      return item;
    }

    byId("jt-send-now").addEventListener("click", function () {
      if (app.outbox) app.outbox.sendNow();
    });

    return {show: showOutbox};
  }

  window.JintanFieldOutboxView = OutboxView;
})();
