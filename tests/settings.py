"""Test settings: the product's settings, with a throw-away data directory and fast hashing off-limits.

Argon2 stays (tests check it); the database comes from TTDN_DATABASE_URL (SQLite when unset).
"""

import os
import tempfile

# Always a fresh directory: tests must never touch a real data directory named in the environment.
os.environ["TTDN_DATA_DIR"] = tempfile.mkdtemp(prefix="ttdn-test-")
os.environ.setdefault("TTDN_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from ttdn.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Lao/Khmer trigram and collation need a UTF-8 ctype database, as production.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}  # noqa: F405
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]
