"""A remote ActivityPub server made of software this project did not write: bovine (PyPI) signs what it
sends and checks the signatures of what it receives, hypercorn serves it (h11 writes header names in
lower case, as every h11/Quart-based server does). It runs its own event loop in a thread."""
import asyncio
import json
import threading
from urllib.parse import urlsplit

import aiohttp
from bovine.clients.signed_http import SignedHttpClient, legacy_digest_method
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.http_signature import build_signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from bovine.utils import get_gmt_now
from hypercorn.asyncio import serve
from hypercorn.config import Config

from ..helpers import free_port, wait_until

AP = "application/activity+json"
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=10)


class Peer:
    """One actor on its own server; `inbox` holds (activity, owner bovine verified or None) as received,
    `gets` (path, owner or None) for each GET of the actor."""

    def __init__(self, host, name="bob"):
        self.host, self.port = host, free_port(host)
        self.base = f"http://{host}:{self.port}"
        self.actor_id = f"{self.base}/users/{name}"
        self.key_id = f"{self.actor_id}#main-key"
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id, "type": "Person", "preferredUsername": name, "inbox": f"{self.actor_id}/inbox",
            "publicKey": {"id": self.key_id, "owner": self.actor_id, "publicKeyPem": self.public_pem},
        }
        self.inbox, self.gets = [], []
        self._verify = build_validate_http_signature_raw(self._key)
        self._loop = asyncio.new_event_loop()
        self._stop = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # Serving -----------------------------------------------------------------------------------------

    def start(self):
        self._thread.start()
        wait_until(lambda: self._stop is not None and self.answers(), timeout=10)
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._loop.close()

    def answers(self):
        try:
            return self.run(self._get(self.actor_id))[0] == 200
        except aiohttp.ClientError:
            return False

    def _serve(self):
        asyncio.set_event_loop(self._loop)
        config = Config()
        config.bind = [f"{self.host}:{self.port}"]
        config.accesslog = config.errorlog = None
        self._stop = asyncio.Event()
        self._loop.run_until_complete(serve(self, config, shutdown_trigger=self._stop.wait))

    async def __call__(self, scope, receive, send):
        """The ASGI application: the actor document, and an inbox that keeps what it is sent."""
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        owner = await self._verify(scope["method"], self.base + scope["path"], headers, lambda: _body(body))
        if scope["method"] == "GET" and scope["path"] == urlsplit(self.actor_id).path:
            self.gets.append((scope["path"], owner))
            await _answer(send, 200, self.document)
        elif scope["method"] == "POST" and scope["path"] == urlsplit(self.document["inbox"]).path:
            self.inbox.append((json.loads(body), owner))
            await _answer(send, 202 if owner else 401, {})
        else:
            await _answer(send, 404, {})

    async def _key(self, key_id):
        """The key of a signature, from the document its id names (as bovine's docs show)."""
        status, document = await self._get(key_id.split("#")[0])
        return CryptographicIdentifier.from_public_key(document["publicKey"]) if status == 200 else None

    # Sending ----------------------------------------------------------------------------------------

    def run(self, coroutine):
        """Run a coroutine on the peer's loop, from the test's thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    async def _get(self, url):
        async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
            async with session.get(url, headers={"Accept": AP}) as response:
                return response.status, await response.json(content_type=None)

    def post(self, url, activity, digest_method=None):
        """POST an activity as bovine's signed client sends it: (status, JSON answer)."""
        async def send():
            async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
                client = SignedHttpClient(session, self.key_id, self.private_pem, digest_method)
                response = await client.post(url, json.dumps(activity))
                return response.status, await response.json(content_type=None)
        return self.run(send())

    def post_with_signature(self, url, activity, mangle):
        """POST an activity whose bovine-made Signature header is first passed through mangle."""
        body = json.dumps(activity)
        parts = urlsplit(url)
        digest_name, digest = legacy_digest_method(body.encode("utf-8"))
        signature = (build_signature(parts.netloc, "post", parts.path).with_field("date", get_gmt_now())
                     .with_field(digest_name, digest).with_field("content-type", AP))
        header = signature.sign_for_http_draft(CryptographicSecret.from_pem(self.key_id, self.private_pem))
        headers = {**signature.headers, "signature": mangle(header)}

        async def send():
            async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
                async with session.post(url, data=body, headers=headers) as response:
                    return response.status, await response.json(content_type=None)
        return self.run(send())


async def _body(body):
    return body


async def _answer(send, status, document):
    payload = json.dumps(document).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", AP.encode()), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
