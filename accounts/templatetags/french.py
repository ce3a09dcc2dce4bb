"""`{% filter elide %}…{% endfilter %}`: French elision of a formatted sentence (accounts.french)."""

from django import template

from accounts.french import elide as elide_text

register = template.Library()


@register.filter(is_safe=True)
def elide(value):
    return elide_text(str(value))
