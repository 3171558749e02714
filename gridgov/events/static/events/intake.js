// Intake forms: fill the point from the device's GPS (WGS-84), or from a click on the map
// (in the tile server's datum) when a tile server is configured.
(function () {
  "use strict";
  function setPoint(box, lng, lat, crs) {
    box.querySelector("[name=lng]").value = lng.toFixed(7);
    box.querySelector("[name=lat]").value = lat.toFixed(7);
    box.querySelector("[name=crs]").value = crs;
  }
  function init(box) {
    var status = box.querySelector("[data-gg-locate-status]");
    var button = box.querySelector("[data-gg-locate]");
    var marker = null, map = null;
    if (button) {
      if (!navigator.geolocation) { button.hidden = true; }
      button.addEventListener("click", function () {
        status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPoint(box, pos.coords.longitude, pos.coords.latitude, "wgs84");
          status.textContent = "已定位(精度约 " + Math.round(pos.coords.accuracy) + " 米)";
        }, function (err) {
          status.textContent = "定位失败:" + err.message + ",请在地图上选择或手动填写。";
        }, {enableHighAccuracy: true, timeout: 15000});
      });
    }
    var mapEl = box.querySelector("[data-gg-point-map]");
    if (mapEl && window.L && box.dataset.tileUrl) {
      map = L.map(mapEl).setView([29.87, 121.55], 13);
      L.tileLayer(box.dataset.tileUrl, {attribution: box.dataset.tileAttribution || ""}).addTo(map);
      map.on("click", function (e) {
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
        setPoint(box, e.latlng.lng, e.latlng.lat, box.dataset.tileCrs || "wgs84");
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-gg-point]").forEach(init);
  });
})();
