"""The upload handler: a file larger than any kind may be is counted but not written past the cap, so a
huge upload cannot fill the disk of a small hub; `do_attach_upload` then refuses it by its real size."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from ttdn.content.files.sniff import upload_cap_bytes


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.cap = upload_cap_bytes()
        self.written = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.cap + 1 - self.written  # one byte past the cap is enough to know it is too big
        if room > 0:
            self.file.write(raw_data[:room])
            self.written += min(len(raw_data), room)
        # The file's size, set by file_complete, is still the number of bytes the client sent.
