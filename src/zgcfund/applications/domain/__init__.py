"""The applications app's domain: what may be done to an application, independent of HTTP.

* ``workflow`` — the lifecycle as a declared table; ``notifications`` — what its transitions queue.
* ``submission`` — submitting an application (checks, frozen snapshot, PDF).
* ``editability`` — whether the applicant may change the application now (``EditRefused``).
* ``editing`` — records, K1/K3 choices, whole-document import.
* ``document`` — the application as a zgc-application/1 document and its evaluation.
* ``lists`` — a clause's long list (K1.1, K1.3, K3.2, K3.3) imported in one go.
* ``notices`` — 企业注册前信息报送 (pre-registration notices) and records naming them.
* ``materials`` — the kinds of material a clause's evidence is filed under.
* ``evidence`` — storing, filing, deleting uploaded files and the storage quota (the service the views use).
* ``filetypes`` — what an uploaded file really is, by content (libmagic, olefile, defusedxml).
* ``images`` — decoding uploaded images and their thumbnails.
* ``queries`` — querysets scoped to what a user may see.

Inside the package imports run one way: ``editing`` uses ``editability`` and ``evidence``;
``evidence`` uses ``editability``, ``filetypes``, ``images`` and ``materials``; ``images`` uses
``filetypes``. None of ``editability``, ``evidence``, ``filetypes`` or ``images`` imports ``editing``.
"""
