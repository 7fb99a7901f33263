"""The yardstick: a view that does nothing but render a tiny template through the full stack.

It goes through the same middleware and context processors as every portal page; the template
is compiled once, as the cached template loader does for the portal's own templates.
"""

from django.http import HttpResponse
from django.template import engines

TINY = engines["django"].from_string(
    "<!doctype html><title>{{ shop_name }}</title><p>{{ greeting }}</p>"
)


def bare(request):
    return HttpResponse(TINY.render({"greeting": "Hello"}, request))
