"""What the import says to the user, by code.

Validation stores errors and warnings as a code and its parameters (never as a sentence), so that
the preview, the errors CSV and a later visit in another language all translate them when shown.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

ERRORS = {
    # the file as a whole
    "not_csv": _("Ce fichier n'est pas un fichier CSV (son contenu ressemble à : %(kind)s)."),
    "not_spreadsheet": _(
        "Ce fichier n'est pas un classeur %(format)s (son contenu ressemble à : %(kind)s)."
    ),
    "unreadable": _("Ce classeur est illisible ou endommagé."),
    "too_big_unzipped": _(
        "Ce classeur décompressé occuperait %(size)s Mo (au plus %(max)s Mo) : il est refusé."
    ),
    "zip_ratio": _(
        "Ce classeur est anormalement compressé (%(ratio)s pour 1) : il est refusé par prudence."
    ),
    "empty": _("Le fichier est vide."),
    "csv_malformed": _("Le fichier CSV est mal formé vers la ligne %(line)s."),
    "no_lines": _("le fichier ne contient aucune ligne de commande"),
    "too_many_rows": _("plus de %(max)s lignes : découpez le fichier"),
    "missing_column": _("colonne obligatoire absente"),
    # a cell
    "required": _("valeur manquante"),
    "not_number": _("« %(value)s » n'est pas un nombre"),
    "amount_not_positive": _("le montant doit être strictement positif"),
    "amount_negative": _("montant négatif « %(value)s » : une commande a un montant positif"),
    "amount_decimals": _("au plus deux décimales"),
    "amount_too_large": _("montant trop élevé"),
    "not_date": _("« %(value)s » n'est pas une date (attendu : JJ/MM/AAAA)"),
    "date_year": _("la date %(date)s n'est pas dans l'année %(year)s"),
    "not_siren": _("« %(value)s » n'est pas un SIREN (9 chiffres)"),
    "siren_key": _("SIREN %(value)s invalide (clé de contrôle)"),
    "unknown_domain": _("domaine inconnu « %(value)s »"),
    "name_required": _("obligatoire pour une PME non inscrite dans l'annuaire"),
    "name_too_long": _("200 caractères au plus"),
    "reference_too_long": _("100 caractères au plus"),
    "delay_integer": _("nombre entier de jours attendu"),
    "delay_range": _("entre 0 et 3650 jours"),
    "not_a_number_type": _("nombre attendu"),
    "unknown_site": _(
        "site acheteur inconnu « %(value)s » : donnez le SIRET ou le nom exact d'un des sites "
        "de votre compte (page « Sites acheteurs »)"
    ),
}

WARNINGS = {
    "above_it_total": _(
        "Les commandes aux PME de ce fichier (%(amount)s €) dépassent le total des achats "
        "informatiques déclaré (%(total)s €) : vérifiez l'un ou l'autre."
    ),
    "above_it_total_added": _(
        "Ajoutées aux lignes déjà saisies, les commandes aux PME (%(amount)s €) dépasseraient le "
        "total des achats informatiques déclaré (%(total)s €)."
    ),
    "outlier": _(
        "Ligne(s) %(lines)s : montant plus de 100 fois supérieur à la médiane du compte "
        "(%(median)s €) ; vérifiez qu'il ne manque pas une virgule."
    ),
    "duplicate_in_file": _(
        "Ligne(s) %(lines)s : même SIREN, date, montant et référence qu'une ligne précédente "
        "du fichier (doublon ?)."
    ),
    "duplicate_in_draft": _(
        "Ligne(s) %(lines)s : déjà présente(s) dans la déclaration (même SIREN, date, montant "
        "et référence) ; les ajouter créerait des doublons."
    ),
    "future_date": _("Ligne(s) %(lines)s : date de commande dans le futur."),
    # notes on what was read liberally
    "siret_truncated": _(
        "Ligne(s) %(lines)s : un SIRET (14 chiffres) a été donné ; son SIREN (9 premiers "
        "chiffres) a été retenu."
    ),
    "cells_repaired": _(
        "%(count)s cellule(s) au texte abîmé réparée(s) (caractères de contrôle ou « Ã© » "
        "au lieu de « é »)."
    ),
    # submission-time warnings on a whole declaration
    "decl_outlier": _(
        "%(count)s ligne(s) dépassent 100 fois la médiane des montants du compte (%(median)s €)."
    ),
    "decl_duplicates": _("%(count)s ligne(s) en double (même SIREN, date, montant et référence)."),
    "decl_future_date": _("%(count)s ligne(s) ont une date de commande dans le futur."),
}


def render(catalogue: dict, code: str, params: dict | None) -> str:
    template = catalogue.get(code)
    if template is None:
        return str(code)
    text = str(template)
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text


# What a sniffed file looks like (readers.sniff), for "this is not a CSV file".
KINDS = {
    "BINARY": _("des données binaires"),
    "TEXT": _("du texte"),
    "ZIP": _("une archive ZIP"),
    "ODF": _("un document OpenDocument"),
    "DOCX": _("un document Word"),
    "XLS": _("un classeur Excel 97-2003"),
    "XLSX": _("un classeur Excel"),
    "ODS": _("un classeur OpenDocument"),
    "PNG": _("une image PNG"),
    "JPEG": _("une image JPEG"),
    "GIF": _("une image GIF"),
    "PDF": _("un document PDF"),
}


def error_text(code: str, params: dict | None = None) -> str:
    if params and "kind" in params:
        params = {**params, "kind": str(KINDS.get(params["kind"], params["kind"]))}
    return render(ERRORS, code, params)


def warning_text(code: str, params: dict | None = None) -> str:
    return render(WARNINGS, code, params)


def lines_text(lines: list[int], count: int) -> str:
    """ "3, 5, 9" or "3, 5, 9… (12 in all)"."""
    shown = ", ".join(str(n) for n in lines)
    if count > len(lines):
        return shown + "… " + ngettext("(%(n)s au total)", "(%(n)s au total)", count) % {"n": count}
    return shown


def error_rows(errors: list[list[object]]) -> list[dict]:
    """Stored errors as rows to show: [line, column, value, code, params] (older jobs stored
    [line, column, message])."""
    rows = []
    for error in errors:
        if len(error) == 3:
            line, column, message = error
            rows.append({"line": line, "column": column, "value": "", "message": message})
        else:
            line, column, value, code, params = error
            rows.append(
                {
                    "line": line,
                    "column": column,
                    "value": value,
                    "message": error_text(code, params),
                }
            )
    return rows


def error_group_rows(groups: list[list[object]]) -> list[dict]:
    """Grouped errors: "12 lignes : domaine inconnu « Paie et RH »", with the first lines."""
    rows = []
    for column, code, params, count, lines in groups:
        rows.append(
            {
                "column": column,
                "count": count,
                "message": error_text(code, params),
                "lines": lines_text(lines, count) if lines and lines[0] else "",
                "lines_label": ngettext("ligne", "lignes", count),
                "file_level": not lines or not lines[0],
            }
        )
    return rows


def warning_rows(warnings: list[list[object]]) -> list[str]:
    rows = []
    for code, params in warnings:
        shown = dict(params)
        if "lines" in shown:
            shown["lines"] = lines_text(shown["lines"], shown.get("count", len(shown["lines"])))
        rows.append(warning_text(code, shown))
    return rows
