"""Voice messages made on this machine: eSpeak NG (offline) reads the text, LAME (lameenc) makes the MP3 that is
stored and played in the browser, and WAV exports are resampled to the rates voice-broadcast platforms (8 kHz)
and loudspeaker systems (16 kHz, 22.05 kHz) take. Languages eSpeak NG cannot read get a recorded file instead."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError

if TYPE_CHECKING:  # numpy is imported where samples are made: the information points import this module at start-up
    import numpy as np

# Our language tags → eSpeak NG voices (only languages it actually reads; the others are recorded).
VOICES = {"vi": "vi", "zh-Hans": "cmn", "th": "th", "en": "en", "ru": "ru", "ko": "ko", "ja": "ja", "fr": "fr"}
ESPEAK_RATE = 22050
EXPORT_RATES = (8000, 16000, 22050)
SPEED_WPM = 150  # slower than the default 175: loudspeakers outdoors, older listeners
TIMEOUT = 60
MAX_TEXT = 2000


def espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise ServiceError("no_tts", _("eSpeak NG is not installed (Debian package espeak-ng)."))
    return found


def can_speak(language: str) -> bool:
    return language in VOICES


def synthesize(text: str, language: str) -> tuple[np.ndarray, int]:
    """16-bit mono samples of `text` read aloud, and their rate."""
    voice = VOICES.get(language)
    if voice is None:
        raise ServiceError("no_voice", _("No offline voice reads this language: upload a recording instead."))
    text = " ".join(text.split())[:MAX_TEXT]
    if not text:
        raise ServiceError("no_text", _("Write the message in at least one language."))
    # The text goes in on stdin, never as an argument (it could look like an option).
    command = [espeak(), "-v", voice, "-s", str(SPEED_WPM), "-b", "1", "--stdout"]
    done = subprocess.run(command,  # noqa: S603 (a fixed program and options; the text goes in on stdin)
                          input=text.encode("utf-8"), capture_output=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        raise ServiceError("tts_failed", _("The speech engine failed: %(why)s")
                           % {"why": done.stderr.decode("utf-8", "replace")[:200]})
    return read_wav(_fix_stream_header(done.stdout))


def _fix_stream_header(data: bytes) -> bytes:
    """eSpeak NG writing to a pipe cannot seek back: its RIFF and data sizes are placeholders. Set them."""
    if len(data) < 44 or data[36:40] != b"data":
        return data
    body = len(data) - 44
    return data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:40] + body.to_bytes(4, "little") + data[44:]


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    import numpy as np

    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ServiceError("bad_audio", _("Only 16-bit mono audio is handled here."))
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy(), w.getframerate()


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling through the spectrum (the clips are seconds long)."""
    import numpy as np

    if rate == target or len(samples) == 0:
        return samples
    n = len(samples)
    m = max(1, round(n * target / rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = m // 2 + 1
    out = np.fft.irfft(spectrum[:keep], n=m) * (m / n)
    return np.clip(np.round(out), -32768, 32767).astype("<i2")


def to_wav(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def to_mp3(samples: np.ndarray, rate: int, kbps: int = 48) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode(samples.astype("<i2").tobytes()) + encoder.flush())
