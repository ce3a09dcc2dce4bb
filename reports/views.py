from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def public_list(request):
    return render(request, "placeholder.html", {"title": "Rapports"})


def staff_reports(request):
    return render(request, "placeholder.html", {"title": "Rapports (pilotage)"})
