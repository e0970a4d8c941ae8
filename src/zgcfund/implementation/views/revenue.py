"""K1.3 revenue tables: the organization's page (templates, uploads, growth), the office's read-only copy and
its programme-wide overview, the downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zgcfund.accounts.views.access import allowed, require_perm
from zgcfund.audit.domain.downloads import record_download
from zgcfund.core import growth as core_growth
from zgcfund.implementation.domain import revenue as domain
from zgcfund.implementation.interfaces import revenue_excel
from zgcfund.implementation.interfaces.revenue_display import revenue_summary
from zgcfund.implementation.interfaces.revenue_excel import XLSX_MIME, RevenueFileError
from zgcfund.implementation.models import Contract
from zgcfund.programmes.domain import clock, current_programme_year, parsed

manage_contracts = require_perm("implementation.manage_contracts")


def _contract(request, pk: int, perm: str) -> Contract:
    """The contract of application ``pk`` if the user holds ``perm`` on it; 404 otherwise."""
    contract = get_object_or_404(Contract.objects.select_related("application__organization", "submission",
                                                                 "programme_year"), application_id=pk)
    if not allowed(request.user, perm, contract):
        raise Http404
    return contract


def _page(request, contract: Contract, *, office: bool, errors=(), failed_code: str = "", status: int = 200):
    summary = revenue_summary(contract)
    refusal = domain.upload_refusal(contract)
    row = current_programme_year()
    context = {"contract": contract, "application": contract.application, "revenue": summary, "office": office,
               "can_upload": not office and allowed(request.user, "implementation.upload_revenue", contract)
               and refusal is None, "upload_refusal": refusal, "failed_code": failed_code,
               "errors": [{"field": f"revenue-file-{failed_code}", "message": m} for m in errors],
               "scheme_code": row.code if row else contract.programme_year.code}
    return render(request, "implementation/revenue.html", context, status=status)


@login_required
@require_GET
def revenue_page(request, pk: int):
    """The organization's K1.3 page: its members only (others 404)."""
    contract = _contract(request, pk, "implementation.upload_revenue")
    return _page(request, contract, office=False)


@login_required
@require_POST
def revenue_upload(request, pk: int, credit_code: str):
    contract = _contract(request, pk, "implementation.view_revenue")
    if not allowed(request.user, "implementation.upload_revenue", contract):
        raise PermissionDenied  # the office reads; the organization uploads
    e = domain.enterprise(contract, credit_code)
    if e is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        problems = [_("请选择填好的营收情况表（Excel 文件，.xlsx）。")]
    elif refusal := domain.upload_refusal(contract):
        problems = [refusal]
    else:
        def read(periods, today):
            return revenue_excel.read_upload(upload, credit_code=e.credit_code, periods=periods, today=today)

        try:
            data = upload.read(revenue_excel.MAX_UPLOAD_BYTES + 1)  # bounded: read() refuses more
            table = domain.upload_table(contract, credit_code, read, data, upload.name, request.user)
        except domain.RevenueRefused as exc:
            problems = [exc.message]
        except RevenueFileError as exc:
            problems = [_("文件“%(name)s”未导入，已上传的数据保持不变。请修改以下问题后重新上传：") % {"name": upload.name}]
            problems += exc.problems
        else:
            messages.success(request, _("已导入 %(name)s 的营收情况表。") % {"name": table.enterprise_name})
            return redirect("revenue:page", pk=pk)
    return _page(request, contract, office=False, errors=problems, failed_code=credit_code.upper(), status=422)


@login_required
@require_GET
def revenue_template(request, pk: int, credit_code: str):
    contract = _contract(request, pk, "implementation.view_revenue")
    e = domain.enterprise(contract, credit_code)
    if e is None:
        raise Http404
    data = revenue_excel.build_template(
        organization=contract.application.organization.name, enterprise=e.name, credit_code=e.credit_code,
        contract_id=contract.pk, periods=domain.periods(domain.programme_for(contract)))
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(True, f"K1.3营收情况表-{e.name}.xlsx".replace("/", "-"))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def revenue_workbook(request, pk: int, credit_code: str):
    """The uploaded workbook of one enterprise."""
    contract = _contract(request, pk, "implementation.view_revenue")
    e = domain.enterprise(contract, credit_code)
    if e is None or e.table is None:
        raise Http404
    record_download(request, "download.revenue_table", _("下载 %(name)s 的 K1.3 营收情况表") % {"name": e.name},
                    application=contract.application, obj=e.table, changes={"credit_code": e.credit_code})
    response = FileResponse(e.table.file.open("rb"), as_attachment=True, filename=e.table.file_name,
                            content_type=XLSX_MIME)
    response["Cache-Control"] = "private, no-store"
    return response


@manage_contracts
@require_GET
def office_revenue(request, pk: int):
    contract = _contract(request, pk, "implementation.view_revenue")
    return _page(request, contract, office=True)


@manage_contracts
@require_GET
def office_overview(request):
    row = current_programme_year()
    if row is None:
        raise Http404
    aims = core_growth.k13_aims(parsed(row), clock.today())
    return render(request, "implementation/revenue_overview.html",
                  {"row": row, "aims": aims, "rows": domain.programme_overview(row.code)})
