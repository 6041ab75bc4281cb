"""The viewset bases of the admin: Wagtail's, with formula-safe listing exports.

Every viewset in complaints/admin derives from these instead of Wagtail's own, so each CSV and
XLSX its listing exports (``list_export``) neutralises formulas (see ``portal.exports``).
tests/complaints/shared/test_admin_exports.py checks that no exporting view of the project's
models is left out.
"""

from wagtail.admin.viewsets.model import ModelViewSet as WagtailModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet as WagtailSnippetViewSet

from portal.exports import FormulaSafeExportViewSetMixin


class ModelViewSet(FormulaSafeExportViewSetMixin, WagtailModelViewSet):
    pass


class SnippetViewSet(FormulaSafeExportViewSetMixin, WagtailSnippetViewSet):
    pass
