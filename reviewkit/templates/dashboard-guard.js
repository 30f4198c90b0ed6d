/* Captures errors of this page so a headless check can report them (see #selftest). */
window.__rkErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__rkErrors.push(e.message || ("failed to load " + ((t && (t.src || t.href)) || "a resource")));
}, true);
window.addEventListener("unhandledrejection", function (e) {
  window.__rkErrors.push("unhandled rejection: " + String(e.reason));
});
window.addEventListener("securitypolicyviolation", function (e) {
  window.__rkErrors.push("blocked by the page's policy: " + e.violatedDirective + " " + e.blockedURI);
});
(function () {
  var error = console.error, warn = console.warn;
  console.error = function () { window.__rkErrors.push(Array.prototype.join.call(arguments, " ")); return error.apply(console, arguments); };
  console.warn = function () { window.__rkErrors.push("warning: " + Array.prototype.join.call(arguments, " ")); return warn.apply(console, arguments); };
})();
