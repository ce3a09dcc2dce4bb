from django.shortcuts import render


def declaration_home(request):
    return render(request, "placeholder.html", {"title": "Déclaration"})


def sme_orders(request):
    return render(request, "placeholder.html", {"title": "Commandes déclarées"})


def staff_campaigns(request):
    return render(request, "placeholder.html", {"title": "Campagnes"})
