/* Photos from the camera, made small on the tablet before they wait in the outbox: decoded upright,
   drawn on a canvas with the long side at most a given size and saved as JPEG (which also leaves the
   camera's EXIF, its location included, behind). A picker shows previews with remove buttons. */
(function () {
  "use strict";

  var kit = window.JintanPage, el = kit.el, format = kit.format;

  function viaImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      image.src = url;
    });
  }

  function decode(file) {
    if (!window.createImageBitmap) return viaImage(file);
    return createImageBitmap(file, {imageOrientation: "from-image"}).catch(function () { return viaImage(file); });
  }

  /* A JPEG Blob of the photo with its long side at most longSide pixels. */
  function downscale(file, longSide, quality) {
    return decode(file).then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, longSide / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // transparent pixels become white, not black, in a JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("could not encode the photo"));
        }, "image/jpeg", quality);
      });
    });
  }

  /* input: <input type=file>; list: where previews go; status: where problems are said.
     options: {max, longSide, quality, messages: {photo, remove, tooMany, unreadable}} ("{n}" is filled in). */
  function PhotoPicker(input, list, status, options) {
    var self = this;
    this.input = input;
    this.list = list;
    this.status = status;
    this.options = options;
    this.photos = []; // {blob, url}
    this.pending = Promise.resolve();
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = "";
      self.add(files);
    });
  }

  PhotoPicker.prototype.add = function (files) {
    var self = this, options = this.options, problems = [];
    var room = options.max - this.photos.length;
    if (files.length > room) {
      problems.push(format(options.messages.tooMany, options.max));
      files = files.slice(0, Math.max(0, room));
    }
    this.pending = this.pending.then(function () {
      return Promise.all(files.map(function (file) {
        return downscale(file, options.longSide, options.quality).catch(function () { return null; });
      }));
    }).then(function (blobs) {
      blobs.forEach(function (blob) {
        if (blob && self.photos.length < options.max) self.photos.push({blob: blob, url: URL.createObjectURL(blob)});
        else if (!blob) problems.push(options.messages.unreadable);
      });
      self.status.textContent = problems.join(" ");
      self.render();
    });
    return this.pending;
  };

  PhotoPicker.prototype.remove = function (index) {
    var removed = this.photos.splice(index, 1)[0];
    if (removed) URL.revokeObjectURL(removed.url);
    this.status.textContent = "";
    this.render();
  };

  PhotoPicker.prototype.render = function () {
    var self = this, messages = this.options.messages;
    this.list.textContent = "";
    this.photos.forEach(function (photo, index) {
      var item = el("li", "jt-preview");
      var image = el("img");
      image.src = photo.url;
      image.alt = format(messages.photo, index + 1);
      var remove = el("button", "jt-remove-photo");
      remove.type = "button";
      remove.setAttribute("aria-label", format(messages.remove, index + 1));
      remove.appendChild(el("i", "fa-solid fa-xmark")).setAttribute("aria-hidden", "true");
      remove.addEventListener("click", function () { self.remove(index); });
      item.appendChild(image);
      item.appendChild(remove);
      self.list.appendChild(item);
    });
    this.input.disabled = this.photos.length >= this.options.max;
  };

  /* The photos' Blobs once every one chosen so far is made small. */
  PhotoPicker.prototype.blobs = function () {
    var self = this;
    return this.pending.then(function () { return self.photos.map(function (photo) { return photo.blob; }); });
  };

  PhotoPicker.prototype.clear = function () {
    this.photos.forEach(function (photo) { URL.revokeObjectURL(photo.url); });
    this.photos = [];
    this.status.textContent = "";
    this.render();
  };

  window.JintanPhotos = {downscale: downscale, PhotoPicker: PhotoPicker};
})();
