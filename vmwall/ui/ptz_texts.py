"""PTZ in the operator's words: who holds a camera, and what went wrong, naming the camera.

The service's errors are English sentences for logs and the command line; the console shows a
French sentence chosen by the error's kind (translated like every UI string), and keeps the
service's words for the tooltip.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from vmwall.model import Role
from vmwall.ptz.api import LockHolder, PtzError, PtzErrorKind


def role_label(role: str) -> str:
    """A role's value ("chef-de-salle") as people say it ("chef de salle")."""
    labels = {
        Role.OPERATEUR.value: QCoreApplication.translate("PtzTexts", "opérateur"),
        Role.CHEF_DE_SALLE.value: QCoreApplication.translate("PtzTexts", "chef de salle"),
        Role.POLICIER_MUNICIPAL.value: QCoreApplication.translate("PtzTexts", "policier municipal"),
        Role.REFERENT_REQUISITIONS.value: QCoreApplication.translate("PtzTexts", "référent réquisitions"),
        Role.ADMINISTRATEUR.value: QCoreApplication.translate("PtzTexts", "administrateur technique"),
        Role.DPO.value: QCoreApplication.translate("PtzTexts", "DPO / contrôle"),
    }
    return labels.get(role, role)


def holder_text(holder: LockHolder) -> str:
    """ "Jean Dupont (chef de salle) — poste-3"."""
    text = holder.full_name or holder.login
    role = role_label(holder.role)
    if role:
        text += f" ({role})"
    if holder.console:
        text += f" — {holder.console}"
    return text


def camera_label(number: int, name: str | None) -> str:
    """ "caméra 3 (Parvis de la mairie)", to use inside a sentence."""
    if not name:
        return QCoreApplication.translate("PtzTexts", "caméra %1").replace("%1", str(number))
    return (
        QCoreApplication.translate("PtzTexts", "caméra %1 (%2)")
        .replace("%1", str(number))
        .replace("%2", name)
    )


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def error_text(error: BaseException, label_of: Callable[[int], str]) -> str:
    """A service error as one French sentence naming the camera (``label_of(number)``)."""
    if not isinstance(error, PtzError):
        return QCoreApplication.translate("PtzTexts", "Erreur PTZ : %1").replace(
            "%1", str(error) or type(error).__name__
        )
    name = capitalised(label_of(error.camera))
    kind = error.kind
    if kind is PtzErrorKind.LOCKED:
        holder = (
            holder_text(error.holder)
            if error.holder
            else QCoreApplication.translate("PtzTexts", "un autre opérateur")
        )
        return (
            QCoreApplication.translate("PtzTexts", "%1 est pilotée par %2 : commande refusée.")
            .replace("%1", name)
            .replace("%2", holder)
        )
    texts = {
        PtzErrorKind.AUTH: QCoreApplication.translate(
            "PtzTexts", "%1 refuse les identifiants (mot de passe à vérifier)."
        ),
        PtzErrorKind.UNREACHABLE: QCoreApplication.translate(
            "PtzTexts",
            "%1 ne répond pas (délai dépassé ou caméra injoignable) ; arrêt renvoyé dès son retour.",
        ),
        PtzErrorKind.PROTOCOL: QCoreApplication.translate("PtzTexts", "%1 a renvoyé une erreur ONVIF."),
        PtzErrorKind.UNSUPPORTED: QCoreApplication.translate(
            "PtzTexts", "%1 ne prend pas en charge cette commande."
        ),
        PtzErrorKind.NOT_FOUND: QCoreApplication.translate(
            "PtzTexts", "%1 : caméra ou préréglage introuvable."
        ),
        PtzErrorKind.INVALID: QCoreApplication.translate("PtzTexts", "%1 : demande invalide."),
        PtzErrorKind.STORE: QCoreApplication.translate(
            "PtzTexts", "%1 : la coordination PTZ (base de données) est indisponible."
        ),
    }
    fallback = QCoreApplication.translate("PtzTexts", "%1 : erreur PTZ.")
    return texts.get(kind, fallback).replace("%1", name)
