"""Ed25519 keys: the hub's (signs feed batches and bundles) and a node's (signs requests and return bundles).

Private keys live in files of the data directory, readable by the owner only; the database holds public keys.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

HUB_KEY_FILE = "hub_ed25519.key"
NODE_KEY_FILE = "node_ed25519.key"


def sync_dir() -> Path:
    path = Path(settings.DATA_DIR) / "sync"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    # A name of its own: two threads or processes creating the key at once (a hub's first requests) must not
    # write, link or remove each other's file (one of them then signed with a key that was not the one kept).
    fd, name = tempfile.mkstemp(prefix=f"{path.stem}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex())
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if another process created it first: then use theirs
    except FileExistsError:
        tmp.unlink()
        return _load_or_create(path)
    tmp.unlink()
    return key


def hub_key() -> Ed25519PrivateKey:
    """The hub's signing key, created in the data directory on first use."""
    return _load_or_create(sync_dir() / HUB_KEY_FILE)


def node_key(create: bool = False) -> Ed25519PrivateKey:
    path = sync_dir() / NODE_KEY_FILE
    if not path.exists() and not create:
        raise FileNotFoundError(path)
    return _load_or_create(path)


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public_key_hex: str) -> str:
    """A short name for a public key, written in manifests."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return key.sign(message).hex()


def verify(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        public.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def request_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What a node signs for each request: method, path with query, time, nonce and the body's digest."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(["TTDN-SYNC-1", method.upper(), path, timestamp, nonce, digest]).encode()
