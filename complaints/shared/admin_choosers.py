"""Snippet choosers that only the model's readers may open.

Wagtail's snippet chooser lists every row of a model to anyone who may enter the admin, so that
any form can pick one. The logs of who opened personal data, the residents' ratings and the staff
memberships are picked from no form: their choosers are closed to everyone who holds no
permission on the model (tests/portal/test_access_matrix.py).
"""

from django.core.exceptions import PermissionDenied
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser

READ_ACTIONS = ["view", "add", "change", "delete"]


class _ModelReadersOnly:
    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model_class)
        if not policy.user_has_any_permission(request.user, READ_ACTIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChooseView(_ModelReadersOnly, chooser.ChooseView):
    pass


class ChooseResultsView(_ModelReadersOnly, chooser.ChooseResultsView):
    pass


class ChosenView(_ModelReadersOnly, chooser.SnippetChosenView):
    pass


class ChosenMultipleView(_ModelReadersOnly, chooser.SnippetChosenMultipleView):
    pass


class CreateView(_ModelReadersOnly, chooser.SnippetCreateView):
    pass


class ReadersOnlyChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = CreateView
