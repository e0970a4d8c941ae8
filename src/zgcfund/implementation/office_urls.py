"""Office pages for the implementation period (mounted under /office/implementation/ in the ``office``
namespace)."""

from django.urls import path

from zgcfund.implementation.views import acceptance, contracts

urlpatterns = [
    path("", contracts.contract_list, name="contracts"),
    path("applications/<int:pk>/contract/new/", contracts.contract_new, name="contract_new"),
    path("applications/<int:pk>/contract/", contracts.contract_detail, name="contract"),
    path("applications/<int:pk>/acceptance/", acceptance.acceptance, name="acceptance"),
    path("applications/<int:pk>/acceptance/commitments/<int:commitment_pk>/", acceptance.assess,
         name="acceptance_assess"),
    path("applications/<int:pk>/acceptance/conclude/", acceptance.conclude, name="acceptance_conclude"),
]
