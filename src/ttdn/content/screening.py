"""The state-secret screen: material, file text and evidence carrying a classification stamp ("độ mật") are
refused at the door. One rule, used by every way in (services for typed text, `ingest` for files)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError

# Classification stamps of state-secret documents ("độ mật"). Such material is refused at the door.
_SECRET_STAMP = re.compile(r"(?<!\w)(TUYỆT\s+MẬT|TỐI\s+MẬT)(?!\w)|^\s*MẬT\s*$", re.MULTILINE)


def refuse_secrets(*texts: str) -> None:
    for text in texts:
        if text and _SECRET_STAMP.search(text):
            raise ServiceError(
                "state_secret_refused",
                _(
                    "This material carries a state-secret classification mark (MẬT, TỐI MẬT or TUYỆT MẬT). "
                    "State-secret material may not be stored in this system."
                ),
            )
