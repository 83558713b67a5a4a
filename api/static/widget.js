/*
 * Mostrador's web chat widget. One line on any site:
 *
 *   <script src="https://MOSTRADOR/widget.js" data-business="SLUG" async></script>
 *
 * adds a launcher button and a chat panel. Optional attributes: data-mode="page" (the
 * panel fills the page, no launcher: Mostrador's /chat/SLUG page), data-lang="es|en",
 * data-color="#0f766e" (the brand colour).
 *
 * Plain JavaScript, no build step and no dependencies: it talks only to the Mostrador
 * server it was loaded from. Everything is drawn inside a shadow root, so the host page's
 * CSS does not reach the widget and the widget's CSS does not reach the page. Whatever the
 * business or the agent wrote (name, greeting, replies, history) is untrusted text: it is
 * only ever set with textContent.
 */
(function () {
  "use strict";

  // currentScript exists only while this file first runs (async scripts included).
  var script = document.currentScript ||
    document.querySelector("script[data-business][src*='widget.js']");
  if (!script || !script.dataset.business) { return; }
  var slug = script.dataset.business;
  var registry = (window.__mostradorChat = window.__mostradorChat || {});
  if (registry[slug]) { return; }  // the snippet pasted twice: one widget
  registry[slug] = true;

  var base = new URL(script.src, location.href).origin;
  var api = base + "/v1/chat/" + encodeURIComponent(slug);
  var pageMode = script.dataset.mode === "page";
  var color = /^#[0-9a-f]{3,8}$/i.test(script.dataset.color || "") ? script.dataset.color
    : "#0f766e";
  var lang = script.dataset.lang === "en" || script.dataset.lang === "es" ? script.dataset.lang
    : (/^en\b/i.test(navigator.language || "") ? "en" : "es");

  var STRINGS = {
    es: {
      open: "Abrir chat", close: "Cerrar chat", message: "Mensaje", send: "Enviar",
      placeholder: "Escribí tu mensaje…", typing: "escribiendo…", chat: "Chat",
      team: "Equipo",
      notice: "Estás hablando con un asistente virtual.", privacy: "Aviso de privacidad",
      sendFailed: "No pudimos enviar el mensaje. Probá de nuevo.",
      wait: "Enviaste muchos mensajes seguidos. Esperá {n} segundos y probá de nuevo.",
      waitSome: "Enviaste muchos mensajes seguidos. Esperá unos segundos y probá de nuevo.",
      notAllowed: "Este sitio no puede usar el chat de este negocio.",
      unknown: "Este chat no está disponible.",
      loadFailed: "No pudimos cargar el chat. Revisá tu conexión y probá de nuevo.",
      late: "La respuesta está demorando. Probá de nuevo en un momento."
    },
    en: {
      open: "Open chat", close: "Close chat", message: "Message", send: "Send",
      placeholder: "Type your message…", typing: "typing…", chat: "Chat",
      team: "Team",
      notice: "You are talking to a virtual assistant.", privacy: "Privacy notice",
      sendFailed: "We could not send your message. Please try again.",
      wait: "You sent many messages in a row. Wait {n} seconds and try again.",
      waitSome: "You sent many messages in a row. Wait a few seconds and try again.",
      notAllowed: "This site cannot use this business's chat.",
      unknown: "This chat is not available.",
      loadFailed: "We could not load the chat. Check your connection and try again.",
      late: "The reply is taking long. Please try again in a moment."
    }
  };
  var t = STRINGS[lang];

  // `all: initial` on the host and the root stops inherited page styles (a page's
  // `* { color: red !important }` reaches the host element; an !important rule of the
  // shadow root wins over the page's for it).
  var CSS = [
    ":host { all: initial !important; }",
    ".mw { all: initial; --brand: " + color + "; font: 15px/1.45 system-ui, -apple-system,",
    "  'Segoe UI', Roboto, sans-serif; color: #1f2933; }",
    ".mw *, .mw *::before, .mw *::after { box-sizing: border-box; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;",
    "  width: 56px; height: 56px; border: 0; border-radius: 50%; background: var(--brand);",
    "  color: #fff; cursor: pointer; display: grid; place-items: center;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher svg { width: 28px; height: 28px; fill: currentColor; }",
    ".launcher .i-down, .open .launcher .i-chat { display: none; }",
    ".open .launcher .i-down { display: block; }",
    ".panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483001;",
    "  width: 380px; height: 600px; max-height: calc(100vh - 108px);",
    "  max-width: calc(100vw - 40px);",
    "  display: flex; flex-direction: column; overflow: hidden; background: #f4f6f8;",
    "  border-radius: 14px; box-shadow: 0 10px 36px rgba(0,0,0,.28); }",
    ".panel[hidden] { display: none; }",
    ".page .panel { inset: 0; width: auto; height: auto; max-width: 760px; max-height: none;",
    "  margin: 0 auto; border-radius: 0; box-shadow: 0 0 24px rgba(0,0,0,.08); }",
    "header { display: flex; align-items: center; gap: 8px; padding: 12px 12px 12px 18px;",
    "  background: var(--brand); color: #fff; }",
    "h2 { all: unset; flex: 1; font-weight: 600; font-size: 16px; overflow: hidden;",
    "  text-overflow: ellipsis; white-space: nowrap; }",
    "button { font: inherit; }",
    ".close { width: 36px; height: 36px; border: 0; border-radius: 50%; background: transparent;",
    "  color: #fff; font-size: 24px; line-height: 1; cursor: pointer; }",
    ".close:hover { background: rgba(255,255,255,.18); }",
    ".log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column;",
    "  gap: 8px; }",
    ".notice { margin: 0 0 4px; padding: 8px 10px; border-radius: 8px; background: #e6ecef;",
    "  color: #3e4c59; font-size: 13px; text-align: center; }",
    ".notice a { color: #0b5a54; font-weight: 600; }",
    ".msg { max-width: 86%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap;",
    "  overflow-wrap: anywhere; }",
    ".user { align-self: flex-end; background: var(--brand); color: #fff;",
    "  border-bottom-right-radius: 4px; }",
    ".agent { align-self: flex-start; background: #fff; color: #1f2933;",
    "  border-bottom-left-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }",
    ".staff::before { content: attr(data-label); display: block; margin-bottom: 2px;",
    "  font-size: 12px; font-weight: 600; color: var(--brand); }",
    ".typing { align-self: flex-start; display: flex; gap: 4px; padding: 12px 14px;",
    "  background: #fff; border-radius: 14px; border-bottom-left-radius: 4px; }",
    ".typing[hidden] { display: none; }",
    ".typing span { width: 7px; height: 7px; border-radius: 50%; background: #7b8794;",
    "  animation: mw-dot 1.2s infinite ease-in-out; }",
    ".typing span:nth-child(2) { animation-delay: .15s; }",
    ".typing span:nth-child(3) { animation-delay: .3s; }",
    "@keyframes mw-dot { 0%, 60%, 100% { opacity: .3; transform: none; }",
    "  30% { opacity: 1; transform: translateY(-3px); } }",
    ".error { margin: 0; padding: 8px 14px; background: #fdecea; color: #9b1c1c;",
    "  font-size: 14px; }",
    ".error[hidden] { display: none; }",
    "form { display: flex; gap: 8px; padding: 10px; background: #fff;",
    "  border-top: 1px solid #d9e2ec; }",
    "input { flex: 1; min-width: 0; padding: 10px 14px; border: 1px solid #9aa5b1;",
    "  border-radius: 20px; font: inherit; color: #1f2933; background: #fff; }",
    ".send { padding: 10px 18px; border: 0; border-radius: 20px; background: var(--brand);",
    "  color: #fff; cursor: pointer; }",
    "input:disabled, .send:disabled { opacity: .55; cursor: not-allowed; }",
    "input:disabled { background: #e4e7eb; }",
    ".stop { margin: auto 8px; padding: 14px 16px; border-radius: 10px; background: #fdecea;",
    "  color: #9b1c1c; text-align: center; }",
    ":focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }",
    "input:focus-visible { outline: 2px solid var(--brand); outline-offset: 0;",
    "  border-color: var(--brand); }",
    // A phone: the open panel is the whole screen (dvh: the visible part, keyboard aside).
    "@media (max-width: 480px) {",
    "  .panel { inset: 0; width: 100%; height: 100%; height: 100dvh; max-width: none;",
    "    max-height: none; border-radius: 0; }",
    "  .open .launcher { display: none; }",
    "  input { font-size: 16px; } }",  // under 16px, iOS zooms the page into the field
    "@media (prefers-reduced-motion: reduce) { .typing span { animation: none; } }"
  ].join("\n");

  // Only constant markup here; every text is set below with textContent / setAttribute.
  var MARKUP =
    '<div class="mw">' +
    '<button class="launcher" type="button" aria-expanded="false" aria-controls="mw-panel">' +
    '<svg class="i-chat" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2' +
    ' 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>' +
    '<svg class="i-down" viewBox="0 0 24 24" aria-hidden="true"><path d="M5.3 8.3 12 15l6.7' +
    '-6.7 1.4 1.4L12 17.8 3.9 9.7z"/></svg></button>' +
    '<section class="panel" id="mw-panel" role="dialog" hidden>' +
    '<header><h2></h2><button class="close" type="button">×</button></header>' +
    '<div class="log" role="log" aria-live="polite">' +
    '<p class="notice"><span></span> <a target="_blank" rel="noopener"></a></p>' +
    '<div class="typing" role="status" hidden><span></span><span></span><span></span></div>' +
    '</div>' +
    '<p class="error" role="alert" hidden></p>' +
    '<form><input type="text" maxlength="4000" autocomplete="off" enterkeyhint="send">' +
    '<button class="send" type="submit"></button></form>' +
    '</section></div>';

  var host = document.createElement("mostrador-chat");
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);
  var frame = document.createElement("template");
  frame.innerHTML = MARKUP;
  root.appendChild(frame.content);

  var $ = function (selector) { return root.querySelector(selector); };
  var mw = $(".mw"), launcher = $(".launcher"), panel = $(".panel"), title = $("h2");
  var closer = $(".close"), log = $(".log"), notice = $(".notice"), typing = $(".typing");
  var errorLine = $(".error"), form = $("form"), input = $("input"), sendButton = $(".send");

  launcher.setAttribute("aria-label", t.open);
  closer.setAttribute("aria-label", t.close);
  title.textContent = t.chat;
  panel.setAttribute("aria-label", t.chat);
  notice.firstChild.textContent = t.notice;
  notice.lastChild.textContent = t.privacy;
  typing.setAttribute("aria-label", t.typing);
  input.setAttribute("aria-label", t.message);
  input.placeholder = t.placeholder;
  sendButton.textContent = t.send;
  notice.lastChild.hidden = true;  // until the config names the notice's address

  // The utm_* parameters of the host page's URL, sent with every message for the lead.
  var utm = {};
  new URLSearchParams(location.search).forEach(function (value, name) {
    if (name.indexOf("utm_") === 0 && value) { utm[name] = value; }
  });

  // localStorage can throw (storage disabled, sandboxed frames): fall back to memory.
  var storageKey = "mostrador.session." + slug;
  var memory = {};
  var store = {
    get: function () {
      try { return localStorage.getItem(storageKey); } catch (e) { return memory.v || null; }
    },
    set: function (value) {
      try { localStorage.setItem(storageKey, value); } catch (e) { memory.v = value; }
    }
  };

  function ChatError(status, retryAfter) {
    this.status = status;
    this.retryAfter = retryAfter;
  }

  function call(method, path, body) {
    var init = { method: method, credentials: "omit", headers: {} };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init).then(function (response) {
      if (!response.ok) {
        throw new ChatError(response.status, response.headers.get("Retry-After"));
      }
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      });
    }, function () {
      throw new ChatError(0, null);  // no answer we may read
    });
  }

  function explain(error) {
    var status = error instanceof ChatError ? error.status : 0;
    if (status === 403) { return t.notAllowed; }
    if (status === 404) { return t.unknown; }
    if (status === 429) {
      var seconds = parseInt(error.retryAfter, 10);
      return seconds > 0 ? t.wait.replace("{n}", String(seconds)) : t.waitSome;
    }
    return t.sendFailed;
  }

  function showError(message) {
    errorLine.textContent = message;
    errorLine.hidden = !message;
  }

  // The chat cannot work at all here (site not allowed, unknown business): say so in
  // place of the conversation, and stop.
  var blocked = false;
  function block(error) {
    if (blocked) { return; }
    blocked = true;
    showError("");
    notice.hidden = true;
    var stop = document.createElement("p");
    stop.className = "stop";
    stop.setAttribute("role", "alert");
    stop.textContent = explain(error);
    log.insertBefore(stop, typing);
    input.disabled = true;
    sendButton.disabled = true;
  }

  // New messages go last (before the typing dots); restored ones before `before`.
  function addMessage(role, text, before) {
    var bubble = document.createElement("div");
    bubble.className = "msg " + (role === "user" ? "user" : "agent") +
      (role === "staff" ? " staff" : "");
    bubble.textContent = text;  // untrusted: never innerHTML
    if (role === "staff") { bubble.setAttribute("data-label", t.team); }
    log.insertBefore(bubble, before || typing);
    log.scrollTop = log.scrollHeight;
    return bubble;
  }

  // A reply is awaited while a POST is in flight or, after a 202, until the stream answers.
  var inFlight = 0, awaitingStream = false;
  function updateTyping() {
    typing.hidden = inFlight === 0 && !awaitingStream;
    log.scrollTop = log.scrollHeight;
  }

  // With the durable queue one reply may answer several quick messages, and it can come
  // both in a POST's answer and on the stream: each message_id is shown once.
  var shown = {};
  function showReply(data) {
    if (data.message_id) {
      if (shown[data.message_id]) { return false; }
      shown[data.message_id] = true;
    }
    if (data.reply) { addMessage(data.role === "staff" ? "staff" : "assistant", data.reply); }
    return Boolean(data.reply);
  }

  // One stream per page, left open while the page is: it brings the replies that do not
  // come back in a POST (a queued reply after a 202, and every reply a person of the
  // business writes). Opened once the chat has a session; after a 202 it also replays
  // that request's reply when it was published before the stream connected.
  var stream = null;
  function listen(session, requestId) {
    if (stream) { return; }
    var source = stream = new EventSource(api + "/events?session_id=" +
      encodeURIComponent(session) + (requestId ? "&request_id=" +
      encodeURIComponent(requestId) : ""));
    source.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (showReply(data) && data.role !== "staff") {
        awaitingStream = false;
        updateTyping();
      }
    };
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) { return; }  // it reconnects by itself
      stream = null;
      if (awaitingStream) {
        awaitingStream = false;
        updateTyping();
        showError(t.late);
      }
    };
  }

  function awaitReply(session, requestId) {
    awaitingStream = true;
    updateTyping();
    listen(session, requestId);
  }

  var sessionPromise = null;
  function session() {
    var stored = store.get();
    if (stored && /^[A-Za-z0-9_-]{22,128}$/.test(stored)) { return Promise.resolve(stored); }
    if (!sessionPromise) {
      sessionPromise = call("POST", "/sessions").then(function (answer) {
        store.set(answer.data.session_id);
        return answer.data.session_id;
      });
      sessionPromise.catch(function () { sessionPromise = null; });  // retry on next send
    }
    return sessionPromise;
  }

  function send() {
    var text = input.value.trim();
    if (!text || blocked) { return; }
    input.value = "";
    showError("");
    var bubble = addMessage("user", text);
    inFlight += 1;
    updateTyping();
    session().then(function (id) {
      var body = { session_id: id, text: text };
      if (Object.keys(utm).length) { body.utm = utm; }
      return call("POST", "/messages", body).then(function (answer) {
        if (answer.status === 202) { awaitReply(id, answer.data.request_id); }
        else { showReply(answer.data); listen(id); }  // reply null: a person answers later
      });
    }).catch(function (error) {
      // Keep what they wrote: the bubble goes, the text returns to the input to retry.
      bubble.remove();
      if (!input.value) { input.value = text; }
      showError(explain(error));
    }).then(function () {
      inFlight -= 1;
      updateTyping();
    });
  }

  // What the panel shows before any message: name, notice link, greeting, then the
  // history of a stored session. Loaded once, on the first open.
  var loaded = null;
  function load() {
    if (loaded) { return loaded; }
    // Greeting and history go above anything sent while they load.
    var mark = document.createComment("restored");
    log.insertBefore(mark, notice.nextSibling);
    var stored = store.get();
    var history = stored ? call("GET", "/messages?session_id=" + encodeURIComponent(stored))
      : Promise.resolve({ data: [] });
    history.catch(function () { return null; });  // handled below; no unhandled rejection
    loaded = call("GET", "/config").then(function (config) {
      title.textContent = config.data.name;
      panel.setAttribute("aria-label", config.data.name);
      notice.lastChild.href = config.data.privacy_notice_url;
      notice.lastChild.hidden = false;
      if (config.data.greeting) {
        addMessage("assistant", config.data.greeting, mark).classList.add("greeting");
      }
      return history.then(function (answer) {
        answer.data.forEach(function (m) { addMessage(m.role, m.text, mark); });
        if (stored) { listen(stored); }  // a person of the business may write meanwhile
      }, function () { showError(t.loadFailed); });
    }, function (error) {
      // A site the business does not allow gets a readable 403 (the server adds CORS
      // headers to it), an unknown business a 404: the chat cannot work here.
      mark.remove();
      if (error.status === 403 || error.status === 404) { block(error); }
      else { showError(t.loadFailed); loaded = null; }  // a later open tries again
    });
    return loaded;
  }

  function open() {
    mw.classList.add("open");
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    load();
  }

  function close() {
    mw.classList.remove("open");
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) { open(); } else { close(); }
  });
  closer.addEventListener("click", close);
  form.addEventListener("submit", function (event) {
    event.preventDefault();  // Enter in the input submits the form too
    send();
    input.focus();  // after a click on Enviar too: ready for the next message
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !pageMode) { close(); }
  });

  if (pageMode) {
    mw.classList.add("page");
    launcher.remove();
    closer.remove();
    panel.setAttribute("role", "main");
  }

  function mount() {
    document.body.appendChild(host);
    if (pageMode) { open(); }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
