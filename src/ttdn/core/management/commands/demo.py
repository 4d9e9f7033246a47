"""`ttdn demo`: build the demo hub — each app's part, registered in its `demo.py` — and print how to log in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ttdn.core.registry import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_builders


class Command(BaseCommand):
    help = "Build a realistic demo hub (idempotent) and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        out = self.stdout.write
        users: list[tuple[str, str, str]] = []
        lines: list[str] = []
        for build in demo_builders():
            part = build(out)
            users.extend(part.users)
            lines.extend(part.lines)
        for line in lines:
            out(line)
        out("")
        out("Đăng nhập / Log in at http://127.0.0.1:8000/accounts/login/")
        out(f"Mật khẩu chung / password for every demo account: {DEMO_PASSWORD}")
        out("Tài khoản / accounts:")
        for username, roles, agency in users:
            out(f"  {username:<22} {roles:<28} {agency}")
        out("")
        out("Thẩm định viên, người xuất bản, quản trị cần mã 6 số / appraisers, publishers and administrators also")
        out(f"need a 6-digit code: add the key {DEMO_TOTP_SECRET} to an authenticator app, or run")
        out("  .venv/bin/ttdn demo_code USERNAME")
