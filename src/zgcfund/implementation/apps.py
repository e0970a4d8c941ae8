from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "zgcfund.implementation"
    label = "implementation"
    verbose_name = _("实施")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # applications (below this app) shows the signed contract and its commitments on the status page
        from zgcfund.applications.domain import contract
        from zgcfund.implementation.interfaces.display import applicant_contract

        contract.signed_contract = applicant_contract
        # review's ``zgcfund remind`` also reminds organizations of their report due dates
        from zgcfund.implementation.domain.reminders import daily
        from zgcfund.review.domain import reminders

        if daily not in reminders.DAILY:
            reminders.DAILY.append(daily)

        # signing the contract is a collective decision (集体研究); sign_contract is its effect
        from django.urls import reverse

        from zgcfund.implementation.domain import contracts
        from zgcfund.implementation.models import Contract
        from zgcfund.review.domain import decisions

        decisions.register("contract", Contract, contracts.sign_contract, refusals=(contracts.ContractRefused,),
                           url=lambda c: reverse("office:contract", args=[c.application_id]),
                           label=contracts.decision_label, summary=contracts.decision_summary)
        # a disbursement too: approved, finance records the payment; sent back or withdrawn, it is cancelled
        from zgcfund.implementation.domain import funds
        from zgcfund.implementation.models import Disbursement

        decisions.register("disbursement", Disbursement, funds.approve_disbursement, refusals=(funds.FundsRefused,),
                           check=lambda d: funds.disbursement_refusal(d.contract), ended=funds.cancel_disbursement,
                           url=lambda d: reverse("office:funds_contract", args=[d.contract.application_id]),
                           label=funds.decision_label, summary=funds.decision_summary)
        # … and the acceptance conclusion: approved, it is concluded (accept / fail); sent back, a draft again
        from zgcfund.implementation.domain import acceptance
        from zgcfund.implementation.models import Acceptance

        decisions.register("acceptance", Acceptance, acceptance.conclude_effect,
                           refusals=(acceptance.AcceptanceRefused,), ended=acceptance.reopen,
                           url=lambda a: reverse("office:acceptance", args=[a.contract.application_id]),
                           label=acceptance.decision_label, summary=acceptance.decision_summary)
