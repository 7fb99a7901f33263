"""devshop inside the portal's own server, so the demo needs one process only (see server.py)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .server import handle


@csrf_exempt
def endpoint(request, path: str) -> HttpResponse:
    status, headers, body = handle(request.method, "/" + path, dict(request.headers), request.body)
    response = HttpResponse(body, status=status, content_type=headers.pop("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    return response
