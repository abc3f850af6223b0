// graphmock dashboard: every change is a JSON fetch POST (the browser adds Origin); htmx does the reads.
(function () {
  "use strict";
  const KEY = "graphmock-admin-token";
  const token = () => sessionStorage.getItem(KEY) || "";
  const say = (text, ok) => {
    const el = document.getElementById("status");
    el.textContent = text; el.className = ok ? "ok" : "bad";
  };
  window.gmIdle = (id) => {  // polling must not wipe what someone is typing
    const active = document.activeElement, box = document.getElementById(id);
    return !(box && active && box.contains(active) && /INPUT|SELECT|TEXTAREA/.test(active.tagName));
  };
  const refresh = () => {
    htmx.trigger(document.body, "gm-refresh");
    const view = document.getElementById("object-view");
    if (view) htmx.ajax("GET", view.dataset.url, "#detail");
  };
  async function act(name, body, question) {
    if (question) { if (!window.confirm(question)) { say("cancelled", true); return; } body.confirm = true; }
    let answer;
    try {
      const response = await fetch("act/" + name, {method: "POST", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json", "X-Graphmock-Admin-Token": token()}});
      answer = await response.json().catch(() => ({ok: false, message: "HTTP " + response.status}));
      if (response.status === 401) showLogin();
    } catch (error) { answer = {ok: false, message: "graphmock did not answer: " + error}; }
    say(answer.message || (answer.error && answer.error.message) || "refused", answer.ok);  // guard: Graph-style envelope
    if (answer.ok) refresh();
  }
  function formBody(form) {
    const body = JSON.parse(form.dataset.body || "{}");
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") body[el.name] = el.checked;
      else if (el.value !== "") body[el.name] = el.value;
    }
    return body;
  }
  function showLogin() { document.getElementById("login").hidden = false; say("enter the admin token", false); }
  document.addEventListener("htmx:configRequest", (e) => {
    if (token()) e.detail.headers["X-Graphmock-Admin-Token"] = token();
  });
  document.addEventListener("htmx:responseError", (e) => {
    if (e.detail.xhr.status === 401) showLogin(); else say("graphmock answered HTTP " + e.detail.xhr.status, false);
  });
  document.addEventListener("htmx:sendError", () => say("graphmock is not answering (stopped?)", false));
  document.addEventListener("htmx:afterSwap", () => {
    const strict = document.getElementById("strict-state");
    if (strict) document.getElementById("strict").checked = strict.dataset.strict === "true";
  });
  document.addEventListener("click", (e) => {
    const copy = e.target.closest("[data-copy]");
    if (copy) {
      navigator.clipboard.writeText(copy.dataset.copy).then(() => say("copied " + copy.dataset.copy, true),
        () => say("copy failed: select the text instead", false));
      return;
    }
    const button = e.target.closest("button[data-act]");
    if (button) { e.preventDefault(); act(button.dataset.act, JSON.parse(button.dataset.body || "{}"), button.dataset.confirm); }
  });
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("form");
    if (form && form.id === "login") {
      e.preventDefault();
      sessionStorage.setItem(KEY, form.elements.token.value);
      form.hidden = true; say("unlocked", true); refresh();
    } else if (form && form.dataset.act) {
      e.preventDefault(); act(form.dataset.act, formBody(form), form.dataset.confirm);
    }
  });
  document.addEventListener("change", (e) => {
    if (e.target.dataset.toggle === "strict") act("strict", {strict: e.target.checked});
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("snapshot-save").addEventListener("click", async () => {
      const response = await fetch("../snapshot", {headers: {"X-Graphmock-Admin-Token": token()}});
      if (!response.ok) { say("snapshot failed: HTTP " + response.status, false); return; }
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = "graphmock-snapshot.json"; link.click(); say("snapshot saved", true);
    });
    document.getElementById("snapshot-restore").addEventListener("click", async () => {
      const file = document.getElementById("snapshot-file").files[0];
      if (!file) { say("choose a snapshot file first", false); return; }
      let snapshot;
      try { snapshot = JSON.parse(await file.text()); } catch (error) { say("that file is not JSON: " + error.message, false); return; }
      act("restore", {snapshot}, "Replace the whole mock state with " + file.name + "?");
    });
  });
})();
