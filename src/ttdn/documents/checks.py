"""`ttdn check --deploy`: what this server lacks to make the Decree 30 PDFs right."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register


@register("ttdn", deploy=True)
def pdf_fonts(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from ttdn.documents.decree30 import pdf_font_problem

    problem = pdf_font_problem()
    return [Warning(problem, id="documents.W001")] if problem else []
