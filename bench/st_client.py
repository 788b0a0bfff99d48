"""A small client of Streamlit's own browser protocol, for bench/bench_load.py: many sessions from one process
without a browser (a real chromium per session would measure chromium, not the server, on 2 cores).

What it does is what the frontend does over `/_stcore/stream` (Streamlit 1.67, `streamlit.proto`):
- connect: GET `/_stcore/health` for the `_streamlit_xsrf` cookie, open the websocket (subprotocol `streamlit`,
  the page's Origin and cookie), then a `rerun_script` BackMsg for the page of the URL;
- a run: a `rerun_script` BackMsg with a ClientState (query string, page hash, the widget values the user set,
  a trigger for a pressed button, the hashes of cached messages), then ForwardMsgs until `script_finished`
  (FINISHED_SUCCESSFULLY; FINISHED_EARLY_FOR_RERUN goes on with the next run). `new_session` starts a run's
  elements afresh; elements are kept by delta path, as the page shows them at the end of the run;
- cached messages: large elements the server marks `cacheable` are kept by hash and their hashes sent back, so the
  server sends a `ref_hash` instead, as it does to a browser (kept for two runs, like the frontend's cache);
- upload: `file_urls_request` -> `file_urls_response`, an HTTP PUT of the file (multipart, `X-Xsrftoken`), then the
  uploader's widget state (`file_uploader_state_value`) in the next rerun.
Widgets are found by their user key (the suffix of the element id Streamlit computes).
"""

from __future__ import annotations

import asyncio
import http.client
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
BAD_WORDS = ("tidak dapat dibuka", "sibuk")  # the store's messages when a page could not read or write
TEXT_TYPES = ("alert", "markdown", "heading", "text", "code")
CACHE_RUNS = 2  # the frontend forgets a cached message not used for this many runs (maxCachedMessageAge)


class ClientError(Exception):
    """The session cannot go on: the websocket closed, a run or an upload did not finish in time."""


@dataclass
class Run:
    """What one script run left on the page."""

    elements: dict = field(default_factory=dict)  # delta path -> Element
    page: str = ""  # page_script_hash of the page that ran (the navigation message)
    status: int | None = None
    problems: list = field(default_factory=list)  # errors the protocol itself reported
    seconds: float = 0.0
    ok: bool = True  # set by the benchmark: no error shown

    def widgets(self) -> dict[str, object]:
        """{element id: element proto} of every widget of the run."""
        out = {}
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            proto = getattr(element, kind) if kind else None
            if proto is not None and isinstance(getattr(proto, "id", None), str) and proto.id:
                out[proto.id] = (kind, proto)
        return out

    def widget(self, key: str, prefix: bool = False):
        """(id, kind, proto) of the widget whose user key is `key` (or starts with it), else None."""
        for wid, (kind, proto) in self.widgets().items():
            user_key = wid.split("-", 2)[-1] if wid.startswith("$$ID-") else wid
            if user_key == key or (prefix and user_key.startswith(key)):
                return wid, kind, proto
        return None

    def texts(self) -> list[str]:
        out = []
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind in TEXT_TYPES:
                out.append(getattr(element, kind).body)
        return out

    def alerts(self, fmt: int | None = None) -> list[str]:
        return [e.alert.body for e in self.elements.values() if e.WhichOneof("type") == "alert" and (fmt is None or e.alert.format == fmt)]

    def metric(self, label: str) -> str | None:
        for element in self.elements.values():
            if element.WhichOneof("type") == "metric" and element.metric.label == label:
                return element.metric.body
        return None

    def errors(self) -> list[str]:
        """What a user would see as an error: an exception box, an error message, a message that the store could not
        be read or written (busy), and what the protocol reported (a compile error, a page not found)."""
        found = list(self.problems)
        for element in self.elements.values():
            kind = element.WhichOneof("type")
            if kind == "exception":
                found.append(f"exception box: {element.exception.type}: {element.exception.message[:200]}")
            elif kind == "alert" and element.alert.format == Alert.ERROR:
                found.append(f"error message: {element.alert.body[:200]}")
            elif kind in TEXT_TYPES and any(w in getattr(element, kind).body.lower() for w in BAD_WORDS):
                found.append(f"busy/unavailable: {getattr(element, kind).body[:200]}")
        return found


def _value_state(wid: str, kind: str, proto, value) -> WidgetState:
    """The WidgetState a browser sends for `value` in this widget (selectbox: the option's text, as shown)."""
    state = WidgetState(id=wid)
    if kind in ("selectbox", "radio"):
        options = list(proto.options)
        state.string_value = value if isinstance(value, str) else options[value]
    elif kind in ("text_input", "text_area"):
        state.string_value = value
    elif kind in ("checkbox", "toggle"):
        state.bool_value = bool(value)
    elif kind == "multiselect":
        state.string_array_value.data.extend(value)
    elif kind == "number_input":  # INT (0) for a whole-number input, else a float
        if proto.data_type == 0:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    else:
        raise ValueError(f"no widget state for a {kind}")
    return state


class Session:
    """One browser tab's session on the server (one websocket)."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session_id = ""
        self.query_string = ""
        self.page = ""  # page_script_hash shown now
        self.pages: dict[str, str] = {}  # url path ('' for the default page) -> page_script_hash
        self.last = Run()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run: Run | None = None
        self._finished: asyncio.Future | None = None
        self._urls: dict[str, asyncio.Future] = {}
        self._values: dict[str, WidgetState] = {}  # widget values the user set, sent with every rerun as the browser does
        self._cache: dict[str, list] = {}  # hash -> [ForwardMsg, last run it was used]
        self._runs = 0
        self._xsrf = ""
        self._cookies = ""  # every cookie the site set: the XSRF token, and behind nginx the route that keeps us on one process
        self.closed: str | None = None
        self.received = 0  # bytes over the websocket

    # --- connection ------------------------------------------------------------------------------

    async def open(self, path: str = "") -> Run:
        """Load the page at `path` ('' the default page): cookie, websocket, first run."""
        self._xsrf = await asyncio.to_thread(self._get_xsrf)
        uri = "ws" + self.url[len("http"):] + "/_stcore/stream"
        self._ws = await websockets.connect(uri, subprotocols=["streamlit"], origin=self.url, max_size=None, ping_interval=None,
                                            additional_headers={"Cookie": self._cookies}, open_timeout=self.timeout)
        self._reader = asyncio.create_task(self._read())
        return await self._rerun(page_name=path, query="")

    def _get_xsrf(self) -> str:
        conn = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=self.timeout)
        try:
            conn.request("GET", "/_stcore/health")
            response = conn.getresponse()
            response.read()
            cookies = [value.split(";", 1)[0] for header, value in response.getheaders() if header.lower() == "set-cookie"]
            self._cookies = "; ".join(cookies)
            for cookie in cookies:
                if cookie.startswith("_streamlit_xsrf="):
                    return cookie.split("=", 1)[1].strip('"')
        finally:
            conn.close()
        return ""

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    # --- runs ------------------------------------------------------------------------------------

    async def goto(self, path: str) -> Run:
        """Click a page in the sidebar navigation (`path` as in its URL, '' for the default page)."""
        if path not in self.pages:
            raise ClientError(f"no page '{path}' in the navigation")
        return await self._rerun(page=self.pages[path], query="")

    async def set(self, values: dict | None = None, press: str | None = None) -> Run:
        """Change widgets by user key ({key: value}; a selectbox takes the option's text or its index) and/or
        press a button (by user key, or 'submit:<form>' for a form's submit button); wait for the run."""
        trigger = None
        for key, value in (values or {}).items():
            found = self.last.widget(key)
            if found is None:
                raise ClientError(f"no widget '{key}' on the page")
            self._values[found[0]] = _value_state(*found, value)
        if press is not None:
            trigger = self._button(press)
        return await self._rerun(trigger=trigger)

    async def rerun(self) -> Run:
        """Run the page again with what it shows (as a browser does after a widget change elsewhere)."""
        return await self._rerun()

    def _button(self, press: str) -> str:
        if press.startswith("submit:"):
            form = press[len("submit:"):]
            for wid, (kind, proto) in self.last.widgets().items():
                if kind == "button" and proto.is_form_submitter and (not form or proto.form_id == form):
                    return wid
            raise ClientError(f"no submit button of form {press}")
        found = self.last.widget(press)
        if found is None or found[1] != "button":
            raise ClientError(f"no button '{press}' on the page")
        if found[2].disabled:
            raise ClientError(f"button '{press}' is disabled")
        return found[0]

    async def upload(self, key_prefix: str, name: str, data: bytes, mime: str) -> Run:
        """Choose one file in the uploader whose user key starts with `key_prefix`; wait for the run that reads it."""
        found = self.last.widget(key_prefix, prefix=True)
        if found is None or found[1] != "file_uploader":
            raise ClientError(f"no file uploader '{key_prefix}…' on the page")
        request_id = uuid.uuid4().hex
        waiter = self._urls[request_id] = asyncio.get_running_loop().create_future()
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._send(msg)
        try:
            urls = await asyncio.wait_for(waiter, self.timeout)
        except TimeoutError as exc:
            raise ClientError("no file_urls_response") from exc
        finally:
            self._urls.pop(request_id, None)
        status = await asyncio.to_thread(self._put, urls.upload_url, name, data, mime)
        if status != 204:
            raise ClientError(f"upload PUT answered {status}")
        state = WidgetState(id=found[0])
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        self._values[found[0]] = state
        return await self._rerun()

    def _put(self, upload_url: str, name: str, data: bytes, mime: str) -> int:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{uuid.uuid4().hex}"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        path = urlsplit(upload_url).path if upload_url.startswith("http") else upload_url
        conn = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=self.timeout)
        try:
            conn.request("PUT", path, body=body, headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self._xsrf,
                "Cookie": self._cookies, "Origin": self.url})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    async def _rerun(self, page: str | None = None, page_name: str = "", query: str | None = None, trigger: str | None = None) -> Run:
        if self.closed:
            raise ClientError(f"websocket closed: {self.closed}")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string if query is None else query
        state.page_script_hash = self.page if page is None else page
        state.page_name = page_name
        state.context_info.timezone = "Asia/Jakarta"
        state.context_info.timezone_offset = -420
        state.context_info.locale = "id-ID"
        state.context_info.url = self.url + "/"
        state.cached_message_hashes.extend(self._cache)
        state.widget_states.widgets.extend(self._values.values())
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        self._run = Run()
        self._finished = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self._send(msg)
        try:
            run = await asyncio.wait_for(asyncio.shield(self._finished), self.timeout)
        except TimeoutError as exc:
            raise ClientError(f"no script_finished within {self.timeout:g} s") from exc
        run.seconds = time.perf_counter() - start
        self._after(run)
        return run

    def _after(self, run: Run) -> None:
        """Keep what the browser keeps: values of widgets still shown and not set by the script; recent cache."""
        self.last = run
        self._runs += 1
        shown = run.widgets()
        for wid in list(self._values):
            kind_proto = shown.get(wid)
            if kind_proto is None or getattr(kind_proto[1], "set_value", False):
                del self._values[wid]
        for digest in [h for h, (_, used) in self._cache.items() if self._runs - used > CACHE_RUNS]:
            del self._cache[digest]

    async def _send(self, msg: BackMsg) -> None:
        try:
            await self._ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as exc:
            self.closed = f"send failed: {exc}"
            raise ClientError(self.closed) from exc

    # --- what the server sends -------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.received += len(raw)
                self._handle(ForwardMsg.FromString(raw))
        except websockets.ConnectionClosed as exc:
            self.closed = f"closed by the server: {exc}"
        except Exception as exc:  # noqa: BLE001 - any failure ends the session and is reported
            self.closed = f"{type(exc).__name__}: {exc}"
        else:
            self.closed = self.closed or "closed"
        if self._finished is not None and not self._finished.done():
            self._finished.set_exception(ClientError(f"websocket closed: {self.closed}"))

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        run = self._run
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                if run is not None:
                    run.problems.append(f"unknown ref_hash {msg.ref_hash}")
                return
            cached[1] = self._runs
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, "delta"
        elif kind == "delta" and msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = [msg, self._runs]
        if kind == "file_urls_response":
            waiter = self._urls.get(msg.file_urls_response.response_id)
            if waiter is not None and not waiter.done():
                if msg.file_urls_response.error_msg:
                    waiter.set_exception(ClientError(msg.file_urls_response.error_msg))
                else:
                    waiter.set_result(msg.file_urls_response.file_urls[0])
            return
        if kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page = msg.navigation.page_script_hash
        if run is None:
            return
        if kind == "new_session":
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
            run.elements.clear()
        elif kind == "navigation":
            run.page = msg.navigation.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            run.elements[tuple(msg.metadata.delta_path)] = msg.delta.new_element
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            run.problems.append(f"script error: {msg.session_event.script_compilation_exception.message[:200]}")
        elif kind == "page_not_found":
            run.problems.append("page not found")
        elif kind == "script_finished" and msg.script_finished in DONE:
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append("script finished with a compile error")
            run.status = msg.script_finished
            self._run = None
            if self._finished is not None and not self._finished.done():
                self._finished.set_result(run)
