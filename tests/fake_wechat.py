"""A stand-in for WeChat on loopback that speaks its protocol: the API server (access token,
customer-service messages, with WeChat's error codes) and the sender of signed, optionally
AES-encrypted message pushes, retried like WeChat retries them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.client import API_TIMEOUT_S

TOKEN = "zgfw-test-token"  # noqa: S105 - the fake WeChat account of the tests
APPID = "wx0000000000000000"
SECRET = "test-app-secret"  # noqa: S105
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them


@dataclass
class FakeWeChatAPI:
    """api.weixin.qq.com on a loopback port: /cgi-bin/token and /cgi-bin/message/custom/send."""

    port: int
    tokens_issued: list[str] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)  # every service message WeChat accepted
    refused: list[tuple[int, dict]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # errcodes to answer the next sends with
    hang_next: int = 0  # this many sends get no answer for longer than the channel waits

    def start(self) -> FakeWeChatAPI:
        """Serve in a thread until `stop`."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002 - quiet
                return

            def _json(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                if query.get("appid") != [APPID] or query.get("secret") != [SECRET]:
                    return self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                token = f"token-{len(api.tokens_issued) + 1}-{secrets.token_hex(4)}"
                api.tokens_issued.append(token)
                return self._json({"access_token": token, "expires_in": 7200})

            def do_POST(self) -> None:  # noqa: N802
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if query.get("access_token", [""])[0] != (api.tokens_issued or [None])[-1]:
                    api.refused.append((40001, body))
                    return self._json({"errcode": 40001, "errmsg": "invalid credential"})
                if api.hang_next:
                    api.hang_next -= 1
                    api.refused.append((0, body))
                    time.sleep(API_TIMEOUT_S + 2)
                    return None  # the connection closes unanswered
                if api.fail_next:
                    code = api.fail_next.pop(0)
                    api.refused.append((code, body))
                    return self._json({"errcode": code, "errmsg": "refused by the fake"})
                api.sent.append(body)
                return self._json({"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()

    def texts_to(self, openid: str) -> list[str]:
        """Service messages delivered to one worker."""
        return [m["text"]["content"] for m in self.sent if m["touser"] == openid]


def sign(*parts: str) -> str:
    """WeChat's SHA1 over the sorted parts."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's signature


def text_xml(openid: str, content: str, msg_id: int) -> str:
    """A text message as WeChat pushes it."""
    return (f"<xml><ToUserName><![CDATA[gh_union]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str) -> str:
    """An event push (subscribe, unsubscribe)."""
    return (f"<xml><ToUserName><![CDATA[gh_union]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event></xml>")


def other_xml(openid: str, kind: str, fields: str, msg_id: int) -> str:
    """Image, voice, location or link pushes."""
    return (f"<xml><ToUserName><![CDATA[gh_union]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{fields}"
            f"<MsgId>{msg_id}</MsgId></xml>")


@dataclass
class Push:
    """What WeChat sent and what came back."""

    status: int
    body: str
    seconds: float


def push(url: str, xml: str, *, encrypt: bool = False, token: str = TOKEN, timestamp: int | None = None,
         timeout: float = 5.0) -> Push:
    """POST a message the way WeChat does: signed query, AES-encrypted body in safe mode."""
    timestamp = str(timestamp or int(time.time()))
    nonce = secrets.token_hex(5)
    query = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
             "openid": "ignored"}
    body = xml
    if encrypt:
        crypto = WeChatCrypto(token, AES_KEY, APPID)
        wrapped = crypto.encrypt_message(xml, nonce, timestamp)
        encrypted = wrapped.split("<Encrypt><![CDATA[")[1].split("]]></Encrypt>")[0]
        query.update(encrypt_type="aes", msg_signature=sign(token, timestamp, nonce, encrypted))
        body = f"<xml><ToUserName><![CDATA[gh_union]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode(query)}", data=body.encode(), method="POST",
                                     headers={"Content-Type": "text/xml"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Push(response.status, response.read().decode(), time.monotonic() - started)
    except urllib.error.HTTPError as error:
        return Push(error.code, error.read().decode(), time.monotonic() - started)


def decrypt_reply(body: str, timestamp: str = "", nonce: str = "") -> str:
    """The plain XML of an encrypted passive reply (checking its MsgSignature)."""
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    signature = body.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    stamp = body.split("<TimeStamp>")[1].split("</TimeStamp>")[0]
    nonce = body.split("<Nonce><![CDATA[")[1].split("]]>")[0]
    return crypto.decrypt_message(body, signature, stamp, nonce)
