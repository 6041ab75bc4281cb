"""Template tags of the satisfaction stage for the public tracking page."""

from django import template

from complaints.models import SatisfactionResponse

register = template.Library()


@register.simple_tag
def report_web_rating(report):
    """The resident's web rating of the report's current closure, or None."""
    return (
        SatisfactionResponse.objects.filter(
            report=report,
            closure=report.rework_count,
            channel=SatisfactionResponse.Channel.WEB,
        )
        .only("rating")
        .first()
    )
