"""Fuzzy translation-memory look-up: p50/p95 per segment with 200,000 units in memory across five language pairs.

Usage: python bench/translation/run.py [--units 200000] [--queries 400] [--layout five|one]
                                       [--pg-url postgres://…/ttdn_bench_translation | --sqlite]
A fresh database (a temporary SQLite file, or the PostgreSQL database of --pg-url, dropped and created again)
is migrated and filled with generated units by bulk insert: Vietnamese sources recombined from a word list,
five target languages (Lao, Khmer, Chinese, English, Thai) of 40,000 units each (`five`), or all in one pair
(`one`, the harder case: one index of 200,000). The queries are stored sources with one word changed, one
dropped or two swapped (the fuzzy case), timed through `memory.lookup` as the editor calls it (the exact
look-up in the database, then the in-process index). Building each pair's index on first use is timed apart.
The last line is one JSON object: {"fuzzy_lookup_p95_ms": …, …}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORDS = ("công dân khu vực biên giới vành đai đồn biên phòng cửa khẩu quốc tế mốc quốc giới giấy tờ tùy thân "
         "xuất nhập cảnh lối mở đường tuần tra bộ đội nhân dân xã huyện tỉnh gia lai kon tum quảng trị điện biên "
         "lai châu hà giang lào campuchia trung quốc hiệp định phân giới cắm mốc quy chế nghị định thông tư "
         "khai báo tạm trú lưu trú buôn bán hàng hóa vận chuyển trái phép ma túy vũ khí chất nổ phòng chống "
         "dịch bệnh tiêm chủng hướng dẫn thực hiện nghiêm chỉnh chấp hành pháp luật tuyên truyền phổ biến hộ "
         "gia đình trẻ em phụ nữ người già thôn bản làng già làng trưởng bản ngày tháng năm giờ sáng chiều tối "
         "không được phải cần nên mang theo xuất trình kiểm tra kiểm soát cấp giấy phép đăng ký").split()
TARGETS = ("lo", "km", "zh-Hans", "en", "th")
SCRIPTS = {"lo": "ກຂຄງຈສຊຍດຕຖທນບປຜຝພຟມຢຣລວຫອຮະາິີຶືຸູເແໂໃໄ", "km": "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅ",
           "zh-Hans": "边境口岸界碑居民证件检查出入境公安部队省县乡村法律宣传禁止运输毒品武器通知时间地点会议",
           "en": "abcdefghijklmnopqrstuvwxyz     ", "th": "กขคงจฉชซญดตถทธนบปผฝพฟภมยรลวศษสหอะาิีึืุูเแโใไ"}


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    return " ".join(words).capitalize() + "."


def target(rng: random.Random, language: str) -> str:
    alphabet = SCRIPTS[language]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(20, 80)))


def perturb(rng: random.Random, text: str) -> str:
    words = text.rstrip(".").split()
    how = rng.choice(("change", "drop", "swap"))
    i = rng.randrange(len(words))
    if how == "change":
        words[i] = rng.choice(WORDS)
    elif how == "drop" and len(words) > 4:
        del words[i]
    else:
        j = min(i + 1, len(words) - 1)
        words[i], words[j] = words[j], words[i]
    return " ".join(words) + "."


def fresh_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--layout", choices=("five", "one"), default="five")
    parser.add_argument("--pg-url", default="")
    parser.add_argument("--reuse", action="store_true", help="keep the PostgreSQL database of an earlier run")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="ttdn-bench-translation-")
    os.environ["TTDN_DATA_DIR"] = data_dir
    os.environ.setdefault("TTDN_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ttdn.settings"
    if args.pg_url:
        if not args.reuse:
            fresh_pg_database(args.pg_url)
        os.environ["TTDN_DATABASE_URL"] = args.pg_url
    else:
        os.environ["TTDN_DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ttdn.translation import memory
    from ttdn.translation.models import MemoryUnit
    from ttdn.translation.segmenter import source_hash

    call_command("migrate", verbosity=0)
    backend = connection.vendor
    rng = random.Random(20261207)
    pairs = TARGETS if args.layout == "five" else TARGETS[:1]
    per_pair = args.units // len(pairs)
    sources: dict[str, list[str]] = {}
    started = time.perf_counter()
    if args.reuse and MemoryUnit.objects.exists():
        for lang in pairs:
            sources[lang] = list(MemoryUnit.objects.filter(target_language=lang).values_list("source", flat=True))
    for lang in [p for p in pairs if p not in sources]:
        batch: list[MemoryUnit] = []
        seen: set[str] = set()
        sources[lang] = []
        while len(sources[lang]) < per_pair:
            src = sentence(rng)
            if src in seen:
                continue
            seen.add(src)
            sources[lang].append(src)
            tgt = target(rng, lang)
            batch.append(MemoryUnit(source_language="vi", target_language=lang, source=src, target=tgt,
                                    source_hash=source_hash(src), target_hash=source_hash(tgt), kind="leaflet",
                                    origin="bench"))
            if len(batch) == 5000:
                with transaction.atomic():
                    MemoryUnit.objects.bulk_create(batch)
                batch = []
        if batch:
            with transaction.atomic():
                MemoryUnit.objects.bulk_create(batch)
    insert_s = time.perf_counter() - started
    print(f"{backend}: {MemoryUnit.objects.count()} units in {len(pairs)} pairs, inserted in {insert_s:.1f} s",
          flush=True)

    build: dict[str, float] = {}
    for lang in pairs:
        t0 = time.perf_counter()
        memory.lookup("khởi động", "vi", lang)
        build[lang] = time.perf_counter() - t0
    print("index build per pair (s): " + ", ".join(f"{k} {v:.1f}" for k, v in build.items()), flush=True)

    times: list[float] = []
    found = 0
    for n in range(args.queries):
        lang = pairs[n % len(pairs)]
        original = rng.choice(sources[lang])
        query = perturb(rng, original)
        t0 = time.perf_counter()
        matches = memory.lookup(query, "vi", lang, kind="leaflet")
        times.append((time.perf_counter() - t0) * 1000)
        found += any(m.source == original for m in matches)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    recall = found / len(times)
    print(f"{backend}: {len(times)} fuzzy look-ups, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms; "
          f"the perturbed unit among the matches in {recall:.1%}", flush=True)
    print(json.dumps({"backend": backend, "units": args.units, "pairs": len(pairs),
                      "fuzzy_lookup_p50_ms": round(p50, 2), "fuzzy_lookup_p95_ms": round(p95, 2),
                      "fuzzy_lookup_max_ms": round(times[-1], 2), "fuzzy_recall": round(recall, 3),
                      "index_build_s": round(sum(build.values()), 1), "insert_s": round(insert_s, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
