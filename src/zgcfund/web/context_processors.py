from django.conf import settings


def programme_clock(request):
    return {"ZGCFUND_CLOCK_DATE": settings.ZGCFUND_CLOCK_DATE,
            "EVIDENCE_MAX_MB": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "EVIDENCE_MAX_BYTES": settings.EVIDENCE_MAX_BYTES, "MAX_REQUEST_BYTES": settings.ZGCFUND_MAX_REQUEST_BYTES}
