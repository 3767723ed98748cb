/* Small helpers the tablet app's scripts share (on top of static/js/pagekit.js). */
(function () {
  "use strict";

  var el = window.JintanPage.el;

  function byId(id) {
    return document.getElementById(id);
  }

  /* "{address} ({n} m)" with {address: …, n: …}. */
  function fill(message, values) {
    return Object.keys(values).reduce(function (text, name) {
      return text.split("{" + name + "}").join(String(values[name]));
    }, message);
  }

  /* A Font Awesome icon that screen readers skip (the text beside it names the control). */
  function icon(name) {
    var i = el("i", "fa-solid fa-" + name);
    i.setAttribute("aria-hidden", "true");
    return i;
  }

  /* Date and time as the page's language writes them, in Shanghai time: "12月8日 08:36", "8 Dec, 08:36". */
  function dateTimeFormat(lang) {
    var english = lang === "en";
    return new Intl.DateTimeFormat(english ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}).then(function (response) {
      if (!response.ok) {
        var problem = new Error("HTTP " + response.status);
        problem.status = response.status;
        throw problem;
      }
      return response.json();
    });
  }

  /* What a PhotoPicker needs, from the app's settings and messages. */
  function photoOptions(config) {
    var m = config.messages;
    return {
      max: config.photos.max, longSide: config.photos.longSide, quality: config.photos.quality,
      messages: {photo: m.photo, remove: m.removePhoto, tooMany: m.tooManyPhotos, unreadable: m.unreadablePhoto}
    };
  }

  window.JintanFieldKit = {
    byId: byId, fill: fill, icon: icon, getJson: getJson, dateTimeFormat: dateTimeFormat, photoOptions: photoOptions,
    COLOUR: /^#[0-9a-fA-F]{6}$/, ICON: /^[a-z0-9-]+$/
  };
})();
