"""The node's sync reaches the blob store without loading the libraries that check uploads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sync_loads_no_pdf_image_or_media_library() -> None:
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "import ttdn.content.files.blobs, ttdn.sync.node.apply, ttdn.sync.node.services, ttdn.sync.node.client\n"
        "print(sorted(m for m in ('pypdfium2', 'mutagen', 'PIL', 'docx') if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
