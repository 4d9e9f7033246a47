"""CPU per Django test client's middleware chain (the test client builds it anew for every client).

    PYTHONPATH=. python bench/suite/client_chain.py whitenoise.middleware.WhiteNoiseMiddleware
    PYTHONPATH=. python bench/suite/client_chain.py ttdn.core.middleware.StaticFilesMiddleware
"""

import os
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
os.environ.pop("TTDN_DATABASE_URL", None)
import django

django.setup()
from django.conf import settings  # noqa: E402
from django.test.client import ClientHandler  # noqa: E402

static = sys.argv[1] if len(sys.argv) > 1 else "ttdn.core.middleware.StaticFilesMiddleware"
settings.MIDDLEWARE = [static if m == "ttdn.core.middleware.StaticFilesMiddleware" else m for m in settings.MIDDLEWARE]
ClientHandler().load_middleware()  # imports
started = time.process_time()
for _ in range(50):
    ClientHandler().load_middleware()
print(f"{static}: {(time.process_time() - started) / 50 * 1000:.1f} ms CPU per client's middleware chain")
