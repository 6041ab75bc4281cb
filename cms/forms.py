"""The page editor's form: Chinese titles get an ASCII slug before the slug is checked."""

from wagtail.admin.forms import WagtailAdminPageForm

from cms.slugs import ascii_slug, free_slug, needs_ascii_slug


class BasePageForm(WagtailAdminPageForm):
    def clean_slug(self):
        """A non-ASCII slug (the editor's script copies the Chinese title) becomes pinyin.

        The pinyin is made unique among the siblings like Wagtail's own automatic slugs; an
        ASCII slug the editor typed is kept as it is and checked as usual.
        """
        slug = self.cleaned_data.get("slug", "")
        if not needs_ascii_slug(slug):
            return slug
        base = ascii_slug(slug) or ascii_slug(self.data.get("title", ""))
        if not base or self.parent_page is None:
            return base or slug
        return free_slug(base, parent=self.parent_page, page=self.instance)
