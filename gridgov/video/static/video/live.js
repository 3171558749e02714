/* The live view's player (video/live.html): hls.js over Media Source Extensions, Safari's own
   HLS where MSE is missing; and "截图上报", which draws the current frame into a canvas and
   carries it (sessionStorage) to the video patrol form (live_patrol.js).

   The stream comes from our own signed relay (same origin), so the canvas is not tainted
   and the frame can be read. A 403 from the relay means the link expired or the grant was
   revoked: playback stops and the "重新调阅" link shows. */
(function () {
  "use strict";

  var video = document.querySelector("[data-video-player]");
  if (!video) return;
  var status = document.querySelector("[data-video-status]");
  var again = document.querySelector("[data-video-again]");
  var src = video.getAttribute("data-src");
  var hls = null;

  function text(name) {
    return video.getAttribute("data-text-" + name) || "";
  }

  function say(message, isError) {
    if (!status) return;
    status.textContent = message;
    status.hidden = !message;
    status.classList.toggle("gg-video-status-error", !!isError);
  }

  function stop(message) {
    if (hls) { hls.destroy(); hls = null; }
    video.pause();
    say(message, true);
    if (again) again.hidden = false;
  }

  video.addEventListener("playing", function () { say(""); });
  video.addEventListener("waiting", function () { say(text("buffering")); });

  if (window.Hls && window.Hls.isSupported()) {
    // No worker: the site's policy allows workers from this site only, not from blob: URLs.
    hls = new window.Hls({ enableWorker: false, manifestLoadingMaxRetry: 2,
                           levelLoadingMaxRetry: 2, fragLoadingMaxRetry: 3 });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () { /* autoplay refused */ });
    });
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      var code = data && data.response && data.response.code;
      if (code === 403) { stop(text("refused")); return; }
      if (!data || !data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) { hls.recoverMediaError(); return; }
      stop(text("failed"));
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;  // Safari (iOS, macOS): HLS in the <video> itself
    video.addEventListener("error", function () { stop(text("refused")); });
  } else {
    stop(text("unsupported"));
  }

  // When the link expires the relay refuses the next request; say so before it happens.
  var expires = Date.parse(video.getAttribute("data-expires"));
  if (!isNaN(expires)) {
    window.setTimeout(function () {
      say(text("expired"), true);
      if (again) again.hidden = false;
    }, Math.max(0, expires - Date.now()));
  }

  // 截图上报: the current frame as a JPEG, handed to the patrol form through sessionStorage.
  function snapshot() {
    if (video.readyState < 2 || !video.videoWidth) return null;
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.9);
  }

  document.querySelectorAll("[data-video-snapshot]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      var data = null;
      try { data = snapshot(); } catch (err) { data = null; }
      if (!data) { say(text("no-frame"), true); return; }  // the link still opens the form
      e.preventDefault();
      try {
        window.sessionStorage.setItem("gg-video-snapshot:" + video.getAttribute("data-camera"),
          JSON.stringify({ data: data, at: new Date().toISOString() }));
      } catch (err) { /* storage full or off: the form asks for an upload instead */ }
      window.location.href = link.href;
    });
  });
})();
