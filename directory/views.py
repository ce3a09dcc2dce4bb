from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


def search(request):
    return render(request, "placeholder.html", {"title": "Annuaire"})


@login_not_required
def public_map(request):
    return render(request, "placeholder.html", {"title": "Cartographie"})


def my_profile(request):
    return render(request, "placeholder.html", {"title": "Mon profil"})


def register(request):
    return render(request, "placeholder.html", {"title": "Inscrire ma PME"})


def moderation(request):
    return render(request, "placeholder.html", {"title": "Modération"})
