"""Office pages for the implementation period (mounted under /office/implementation/ in the ``office``
namespace)."""

from django.urls import path

from zgcfund.implementation.views import contracts, revenue

urlpatterns = [
    path("", contracts.contract_list, name="contracts"),
    path("applications/<int:pk>/contract/new/", contracts.contract_new, name="contract_new"),
    path("applications/<int:pk>/contract/", contracts.contract_detail, name="contract"),
    path("applications/<int:pk>/revenue/", revenue.office_revenue, name="revenue"),
    path("revenue/", revenue.office_overview, name="revenue_overview"),
]
