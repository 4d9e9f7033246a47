"""`ttdn demo`: build the demo hub and print how to log in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ttdn.content.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoBuilder


class Command(BaseCommand):
    help = "Build a realistic demo hub (idempotent) and print the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        report = DemoBuilder(log=self.stdout.write).run()
        from ttdn.programme.demo import build as build_plans
        from ttdn.programme.demo import demo_users as plan_users

        build_plans(log=self.stdout.write, password=DEMO_PASSWORD)
        report.users.extend((name, role, code) for name, role, code in plan_users())
        out = self.stdout.write
        if report.skipped:
            out("Dữ liệu mẫu đã có sẵn / demo data already present.")
        else:
            by_state = ", ".join(f"{k} {v}" for k, v in sorted(report.items.items()))
            out(f"Đã tạo / built: {report.agencies} cơ quan, {report.sites} điểm biên giới, "
                f"{sum(report.items.values())} tài liệu: {by_state}")
        out("")
        out("Đăng nhập / Log in at http://127.0.0.1:8000/accounts/login/")
        out(f"Mật khẩu chung / password for every demo account: {DEMO_PASSWORD}")
        out("Tài khoản / accounts:")
        for username, roles, agency in report.users:
            out(f"  {username:<22} {roles:<28} {agency}")
        out("")
        out("Thẩm định viên, người xuất bản, quản trị cần mã 6 số / appraisers, publishers and administrators also")
        out(f"need a 6-digit code: add the key {DEMO_TOTP_SECRET} to an authenticator app, or run")
        out("  .venv/bin/ttdn demo_code USERNAME")
