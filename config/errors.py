"""Error pages in the product's style."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the page must render even when the context processors are the fault.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
