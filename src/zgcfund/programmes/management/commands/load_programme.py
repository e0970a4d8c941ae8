"""``load_programme [PATH_OR_CODE]``: store a programme file as a ProgrammeYear (new version if changed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zgcfund.core.errors import ProgrammeFileError
from zgcfund.core.programme import DEFAULT_PROGRAMME, load_programme
from zgcfund.programmes.domain import load_programme_year
from zgcfund.programmes.models import ProgrammeYear


class Command(BaseCommand):
    help = "载入项目文件（默认：内置的2025年项目文件）；文件变更时存为新版本，旧版本保留。"

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default=DEFAULT_PROGRAMME, metavar="PATH_OR_CODE",
                            help=f"项目文件路径或内置项目代码（默认 {DEFAULT_PROGRAMME}）")

    def handle(self, *args, source: str, **options):
        try:
            programme = load_programme(source)
        except ProgrammeFileError as exc:
            raise CommandError(f"项目文件有误，未载入：{exc}") from None
        if ProgrammeYear._meta.db_table not in connection.introspection.table_names():
            raise CommandError("数据库尚未建表：请先运行 manage.py migrate（make run 会自动运行）。")
        result = load_programme_year(programme)
        if options["verbosity"] < 1:
            return
        row = result.row
        what = f"{row.title}（{row.code}）"
        facts = f"SHA-256 {row.short_hash}，评分方案 {row.scoring_version}，条款 {len(programme.clauses)} 条"
        if not result.created:
            self.stdout.write(f"项目文件未变化：{what}第{row.version}版仍为当前版本（{facts}），未写入数据库。")
        elif result.previous is None:
            self.stdout.write(self.style.SUCCESS(f"已载入项目文件：{what}第{row.version}版（{facts}）。"))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"项目文件已变更：{what}已存为第{row.version}版并设为当前版本（{facts}）；"
                f"第{result.previous.version}版（SHA-256 {result.previous.short_hash}）保留。"))
