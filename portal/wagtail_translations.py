"""Wagtail's own admin strings that its Simplified Chinese catalogue leaves in English.

Staff work in Chinese (tests/portal/test_admin_language.py). The project's catalogue
(locale/zh_Hans) comes first in the lookup and so can translate Wagtail's strings too, but
``makemessages`` keeps only the strings it finds in the project's own files: this module lists
them so they stay in the catalogue. Nothing imports it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = (
    gettext_noop(
        "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them."
    ),
    gettext_noop("account"),
    gettext_noop("Shortcuts"),
    gettext_noop("Show keyboard shortcuts"),
    gettext_noop("Application"),
    gettext_noop("Close modal dialogs (like this one)"),
    gettext_noop("Text editing"),
    gettext_noop("Text formatting"),
    gettext_noop("Save changes"),
    gettext_noop("Add or show comments"),
    gettext_noop("Toggle minimap"),
    gettext_noop("Cut"),
    gettext_noop("Paste"),
    gettext_noop("Paste without formatting"),
    gettext_noop("Strike-through"),
    gettext_noop("Monospace (code)"),
    gettext_noop("Insert or edit a link"),
    gettext_noop("Search all pages…"),
    gettext_noop("- Select an option -"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("Go to the first error"),
    gettext_noop("Actions (footer)"),
    gettext_noop("Save your changes before leaving"),
    gettext_noop("Page types usage"),
    gettext_noop("Is commenting action"),
    gettext_noop("Edit account avatar"),
    gettext_noop("Theme preferences"),
    gettext_noop("admin theme"),
    gettext_noop("contrast"),
    gettext_noop("More contrast"),
    gettext_noop("density"),
    gettext_noop("Snug"),
    gettext_noop("Enable custom keyboard shortcuts specific to Wagtail."),
    gettext_noop("Use server language: %(language_name)s"),
    gettext_noop("Wagtail %(current_version)s editor guide"),
    gettext_noop("View latest version"),
    gettext_noop("A network error occurred"),
    gettext_noop(
        "Troubleshoot your connection to the site before proceeding. Open the editor in a separate tab to view the last saved version."
    ),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
        1,
    ),
    ngettext_lazy("Referenced %(count)s time", "Referenced %(count)s times", 1),
    gettext_noop("To be created by %(user)s"),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop("You haven't uploaded any images."),
    gettext_noop("Usage count: (low to high)"),
    gettext_noop("Usage count: (high to low)"),
    gettext_noop("Oldest"),
    gettext_noop("Grid layout"),
    gettext_noop("List layout"),
    gettext_noop("Views"),
    gettext_noop("Any"),
    gettext_noop("Anyone"),
    gettext_noop("Page type"),
    gettext_noop("Has child pages"),
    gettext_noop("Edited by"),
    gettext_noop("Date updated"),
    gettext_noop("Locked by"),
    gettext_noop("Locking: "),
    gettext_noop("Exploring"),
    gettext_noop("By workflow"),
    gettext_noop("By task"),
    gettext_noop(
        "Please provide an image description to comply with best practices for accessibility."
    ),
    gettext_noop(
        "Upload successful. However, your new image seems to be a duplicate of this existing image. You may delete it if it wasn't required."
    ),
    gettext_noop(
        "Upload successful. However, your new image seems to be a duplicate of an existing image. You may delete it if it wasn't required."
    ),
    gettext_noop("Checks"),
    gettext_noop("Toggle checks"),
    gettext_noop("Show issue"),
    gettext_noop("Content metrics"),
    gettext_noop("Words"),
    gettext_noop("Reading time"),
    gettext_noop("Readability"),
    gettext_noop("This data explained"),
    gettext_noop("How we calculate our metrics"),
    gettext_noop(
        "We extract the main content from the page preview, remove all formatting, and calculate the number of words."
    ),
    gettext_noop(
        "We calculate reading time from word count, using different reading speeds for different languages."
    ),
    gettext_noop("Saved"),
    gettext_noop("Autosave is paused"),
    gettext_noop("Autosave is <span>paused</span>"),
    gettext_noop("Correct the validation errors to resume preview (saving will highlight errors)"),
    gettext_noop(
        "Preview cannot display due to validation errors. <br /> Click save to highlight the relevant fields."
    ),
    gettext_noop("Choose when this page should go live and/or expire"),
    gettext_noop("Choose who can view the live version of this page"),
    gettext_noop("Anyone with editing permissions can create schedules"),
    gettext_noop("But only those with publishing permissions can make them effective."),
    gettext_noop(
        'This publishing schedule will only take effect after you select the "Schedule to publish" option'
    ),
    gettext_noop("Schedule to publish"),
    # The admin home's site summary, the page explorer at the tree's root, the page search.
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        1,
    ),
    gettext_noop(
        "Pages created here will not be accessible at any URL. To add pages to an existing site, create them as children of the homepage."
    ),
    ngettext_lazy("There is one matching page", "There are %(counter)s matching pages", 1),
    # Wagtail's sidebar menu item (the project's own "Pages" is the pagination's, in a context).
    gettext_noop("Pages"),
    # The unpublish confirmation's "also unpublish the subpages" choice.
    ngettext_lazy(
        "This page has one subpage. Unpublish this too",
        "This page has %(live_descendant_count)s subpages. Unpublish these too",
        1,
    ),
    ngettext_lazy(
        "This page has one subpage and its translations have a combined one translated child page. Unpublish these too",
        "This page has %(live_descendant_count)s child pages and its translations have a combined one translated child page. Unpublish these too",
        1,
    ),
    ngettext_lazy(
        "This page has one child page and its translations have a combined %(translation_descendant_count)s translated child pages. Unpublish these too",
        "This page has %(live_descendant_count)s child pages and its translations have a combined %(translation_descendant_count)s translated child pages. Unpublish these too",
        1,
    ),
    # Wagtail's simple translation: the publicity roles' Translate action.
    ngettext_lazy(
        "Include subtree (%(descendant_count)s page)",
        "Include subtree (%(descendant_count)s pages)",
        1,
    ),
)
