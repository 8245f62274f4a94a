from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .workbench import sections_for


@login_required
def workbench(request):
    return render(request, "core/workbench.html", {"sections": sections_for(request)})


@require_GET
def health(request):
    return JsonResponse({"status": "ok"})
