<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="fr">
<context>
    <name>BookmarkController</name>
    <message>
        <source>Pas de caméra dans la tuile sélectionnée.</source>
        <translation>No camera in the selected tile.</translation>
    </message>
    <message>
        <source>Incident caméra %1</source>
        <translation>Incident camera %1</translation>
    </message>
    <message>
        <source>Signet posé sur la caméra %1 depuis %2 (%3 s avant).</source>
        <translation>Bookmark set on camera %1 from %2 (%3 s before).</translation>
    </message>
    <message>
        <source>%1 à nouveau pour le terminer.</source>
        <translation>%1 again to end it.</translation>
    </message>
    <message>
        <source>Signet impossible : %1</source>
        <translation>Bookmark not possible: %1</translation>
    </message>
    <message>
        <source>Signet non terminé : %1</source>
        <translation>Bookmark not ended: %1</translation>
    </message>
    <message>
        <source>Signet terminé : caméra %1, de %2 à %3.</source>
        <translation>Bookmark ended: camera %1, from %2 to %3.</translation>
    </message>
    <message>
        <source>Recherche de signets impossible : %1</source>
        <translation>Bookmark search failed: %1</translation>
    </message>
    <message>
        <source>Signet modifié.</source>
        <translation>Bookmark changed.</translation>
    </message>
</context>
<context>
    <name>BookmarkDialog</name>
    <message>
        <source>Signet d'incident</source>
        <translation>Incident bookmark</translation>
    </message>
    <message>
        <source>Étiquettes séparées par des virgules</source>
        <translation>Tags separated by commas</translation>
    </message>
    <message>
        <source>En cours</source>
        <translation>Running</translation>
    </message>
    <message>
        <source>— aucune —</source>
        <translation>— none —</translation>
    </message>
    <message>
        <source>(entrée liée)</source>
        <translation>(linked entry)</translation>
    </message>
    <message>
        <source>Caméras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Titre</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Étiquettes</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Début</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Fin</source>
        <translation>End</translation>
    </message>
    <message>
        <source>Entrée de main courante</source>
        <translation>Log entry</translation>
    </message>
    <message>
        <source>Enregistrer</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Le titre est vide.</source>
        <translation>The title is empty.</translation>
    </message>
    <message>
        <source>La fin précède le début.</source>
        <translation>The end is before the start.</translation>
    </message>
    <message>
        <source>Signet refusé : %1</source>
        <translation>Bookmark refused: %1</translation>
    </message>
</context>
<context>
    <name>BookmarkListWidget</name>
    <message>
        <source>Dernières 24 h</source>
        <translation>Last 24 h</translation>
    </message>
    <message>
        <source>7 derniers jours</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>30 derniers jours</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>Tout</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Caméra</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Rechercher dans les titres et les étiquettes</source>
        <translation>Search titles and tags</translation>
    </message>
    <message>
        <source>Début</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Fin</source>
        <translation>End</translation>
    </message>
    <message>
        <source>Caméras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Titre</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Étiquettes</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Auteur</source>
        <translation>Author</translation>
    </message>
    <message>
        <source>Entrée liée</source>
        <translation>Linked entry</translation>
    </message>
    <message>
        <source>Modifier…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>Terminer maintenant</source>
        <translation>End now</translation>
    </message>
    <message>
        <source>(entrée liée)</source>
        <translation>(linked entry)</translation>
    </message>
    <message>
        <source>en cours</source>
        <translation>running</translation>
    </message>
    <message numerus="yes">
        <source>%n signet(s)</source>
        <translation>
            <numerusform>%n bookmark</numerusform>
            <numerusform>%n bookmarks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CameraTreePanel</name>
    <message>
        <source>Rechercher : nom ou numéro</source>
        <translation>Search: name or number</translation>
    </message>
    <message>
        <source>chargement du catalogue…</source>
        <translation>loading the camera catalogue…</translation>
    </message>
    <message>
        <source>stockage seul — jamais en direct</source>
        <translation>storage only — never live</translation>
    </message>
    <message>
        <source>direct aux heures %1</source>
        <translation>live during %1</translation>
    </message>
    <message>
        <source>direct 24 h/24</source>
        <translation>live 24/7</translation>
    </message>
    <message>
        <source> · PTZ</source>
        <translation> · PTZ</translation>
    </message>
    <message>
        <source>aucune caméra dans le catalogue</source>
        <translation>no camera in the catalogue</translation>
    </message>
</context>
<context>
    <name>CheckedDialog</name>
    <message>
        <source>Vérification…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>La console se ferme.</source>
        <translation>The console is closing.</translation>
    </message>
</context>
<context>
    <name>ConsoleSession</name>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Session</translation>
    </message>
    <message>
        <source>Verrouiller la console</source>
        <translation>Lock the console</translation>
    </message>
    <message>
        <source>verrouillée par l'opérateur</source>
        <translation>locked by the operator</translation>
    </message>
    <message>
        <source>Changer d'opérateur…</source>
        <translation>Change operator…</translation>
    </message>
    <message>
        <source>Changer mon mot de passe…</source>
        <translation>Change my password…</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit de piloter le mur d'images.</source>
        <translation>Your account may not drive the video wall.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit de piloter les caméras (PTZ).</source>
        <translation>Your account may not drive the cameras (PTZ).</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit de visionnage en direct.</source>
        <translation>Your account may not view cameras live.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit d'écrire dans la main courante.</source>
        <translation>Your account may not write in the operator log.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas ce droit (%1).</source>
        <translation>Your account does not have this right (%1).</translation>
    </message>
    <message>
        <source>Votre agrément est suspendu.</source>
        <translation>Your agrément is suspended.</translation>
    </message>
    <message>
        <source>Votre agrément a expiré.</source>
        <translation>Your agrément has expired.</translation>
    </message>
    <message>
        <source>Aucun agrément n'est enregistré pour votre compte.</source>
        <translation>No agrément is on record for your account.</translation>
    </message>
    <message>
        <source>Votre formation n'est pas enregistrée.</source>
        <translation>Your training is not on record.</translation>
    </message>
    <message>
        <source>La charte d'utilisation n'est pas signée.</source>
        <translation>The user charter is not signed.</translation>
    </message>
    <message>
        <source>Votre compte a été désactivé.</source>
        <translation>Your account has been deactivated.</translation>
    </message>
    <message>
        <source>Votre compte a expiré.</source>
        <translation>Your account has expired.</translation>
    </message>
    <message>
        <source>Votre compte n'est pas encore valide.</source>
        <translation>Your account is not valid yet.</translation>
    </message>
    <message>
        <source>Votre compte n'a aucune commune.</source>
        <translation>Your account has no commune.</translation>
    </message>
    <message>
        <source>Opérateur : %1</source>
        <translation>Operator: %1</translation>
    </message>
    <message>
        <source>verrouillée après %1 min sans activité</source>
        <translation>locked after %1 min without activity</translation>
    </message>
    <message>
        <source>Passez la main à un autre opérateur.</source>
        <translation>Hand over to another operator.</translation>
    </message>
    <message>
        <source>Votre mot de passe a été changé.</source>
        <translation>Your password has been changed.</translation>
    </message>
    <message>
        <source>Relève : %1 a pris la main.</source>
        <translation>Shift handover: %1 has taken over.</translation>
    </message>
    <message>
        <source>Vos droits ont été rétablis.</source>
        <translation>Your rights have been restored.</translation>
    </message>
    <message>
        <source>Vos droits ont changé.</source>
        <translation>Your rights have changed.</translation>
    </message>
    <message>
        <source>Le visionnage est arrêté sur cette console.</source>
        <translation>Viewing has stopped on this console.</translation>
    </message>
    <message>
        <source>Certaines fonctions ne sont plus disponibles.</source>
        <translation>Some functions are no longer available.</translation>
    </message>
    <message>
        <source>Passez la main à un autre opérateur (Session › Changer d'opérateur).</source>
        <translation>Hand over to another operator (Session › Change operator).</translation>
    </message>
    <message>
        <source>Fermez la session ou passez la main (Session › Changer d'opérateur).</source>
        <translation>Close the session or hand over (Session › Change operator).</translation>
    </message>
    <message>
        <source>Droits retirés</source>
        <translation>Rights withdrawn</translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <source>vmwall — console</source>
        <translation>vmwall — console</translation>
    </message>
    <message>
        <source>Pavé : numéro de caméra puis Entrée, numéro de tuile puis *</source>
        <translation>Keypad: camera number then Enter, tile number then *</translation>
    </message>
    <message>
        <source>Hub vidéo</source>
        <translation>Video hub</translation>
    </message>
    <message>
        <source>vérification…</source>
        <translation>checking…</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>connexion…</source>
        <translation>connecting…</translation>
    </message>
    <message>
        <source>&amp;Fichier</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>Instantané de la tuile sélectionnée</source>
        <translation>Snapshot of the selected tile</translation>
    </message>
    <message>
        <source>Ouvrir le dossier des instantanés</source>
        <translation>Open the snapshot folder</translation>
    </message>
    <message>
        <source>Recharger le catalogue des caméras</source>
        <translation>Reload the camera catalogue</translation>
    </message>
    <message>
        <source>Quitter</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>&amp;Vues</source>
        <translation>&amp;Views</translation>
    </message>
    <message>
        <source>&amp;Mur d'images</source>
        <translation>&amp;Video wall</translation>
    </message>
    <message>
        <source>F&amp;enêtres</source>
        <translation>&amp;Windows</translation>
    </message>
    <message>
        <source>Nouvelle fenêtre de grille</source>
        <translation>New grid window</translation>
    </message>
    <message>
        <source>Plein écran</source>
        <translation>Full screen</translation>
    </message>
    <message>
        <source>Rechercher une caméra</source>
        <translation>Search for a camera</translation>
    </message>
    <message>
        <source>Revenir à la grille (pavé)</source>
        <translation>Back to the grid (keypad)</translation>
    </message>
    <message>
        <source>Langue</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>&amp;Aide</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Raccourcis clavier</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>À propos de vmwall</source>
        <translation>About vmwall</translation>
    </message>
    <message>
        <source>%1 caméras</source>
        <translation>%1 cameras</translation>
    </message>
    <message>
        <source>catalogue indisponible — nouvel essai dans 10 s</source>
        <translation>catalogue unavailable — retrying in 10 s</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>hors service</source>
        <translation>down</translation>
    </message>
    <message>
        <source>%1 : %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 en direct</source>
        <translation>%1 live</translation>
    </message>
    <message>
        <source>%1 en connexion</source>
        <translation>%1 connecting</translation>
    </message>
    <message>
        <source>%1 perdu(s)</source>
        <translation>%1 lost</translation>
    </message>
    <message>
        <source>%1 non autorisé(s)</source>
        <translation>%1 not authorised</translation>
    </message>
    <message>
        <source>Échec : %1 (%2)</source>
        <translation>Failed: %1 (%2)</translation>
    </message>
    <message>
        <source>Surcharge : %1 tuile(s) ramenée(s) au flux secondaire (%2)</source>
        <translation>Overload: %1 tile(s) stepped down to the sub stream (%2)</translation>
    </message>
    <message>
        <source>Pas d'image en direct dans cette tuile.</source>
        <translation>No live picture in this tile.</translation>
    </message>
    <message>
        <source>Instantané enregistré : %1</source>
        <translation>Snapshot saved: %1</translation>
    </message>
    <message>
        <source>Instantané impossible : %1</source>
        <translation>Snapshot failed: %1</translation>
    </message>
    <message>
        <source>Dispositions personnalisées illisibles : %1</source>
        <translation>Custom layouts unreadable: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n fichier(s) de disposition ignoré(s)</source>
        <translation>
            <numerusform>%n layout file ignored</numerusform>
            <numerusform>%n layout files ignored</numerusform>
        </translation>
    </message>
    <message>
        <source>Dispositions ignorées</source>
        <translation>Layouts ignored</translation>
    </message>
    <message>
        <source>Ces fichiers de disposition ne sont pas utilisables ; les autres sont chargés.</source>
        <translation>These layout files cannot be used; the others are loaded.</translation>
    </message>
    <message>
        <source>Vue introuvable</source>
        <translation>View not found</translation>
    </message>
    <message>
        <source>La vue « %1 » n'existe pas (ni pour vous, ni partagée).</source>
        <translation>There is no view “%1” (neither yours nor shared).</translation>
    </message>
    <message>
        <source>aucune vue enregistrée</source>
        <translation>no saved view</translation>
    </message>
    <message>
        <source>Vues enregistrées indisponibles : %1</source>
        <translation>Saved views unavailable: %1</translation>
    </message>
    <message>
        <source>Enregistrer la vue…</source>
        <translation>Save view…</translation>
    </message>
    <message>
        <source>(chargement des vues…)</source>
        <translation>(loading views…)</translation>
    </message>
    <message>
        <source>(aucune vue enregistrée)</source>
        <translation>(no saved view)</translation>
    </message>
    <message>
        <source>Supprimer une vue</source>
        <translation>Delete a view</translation>
    </message>
    <message>
        <source> (partagée)</source>
        <translation> (shared)</translation>
    </message>
    <message>
        <source>La vue « %1 » utilise la disposition « %2 », introuvable.</source>
        <translation>View “%1” uses layout “%2”, which cannot be found.</translation>
    </message>
    <message>
        <source>Vue « %1 »</source>
        <translation>View “%1”</translation>
    </message>
    <message>
        <source>Vue « %1 » enregistrée.</source>
        <translation>View “%1” saved.</translation>
    </message>
    <message>
        <source>Supprimer la vue ?</source>
        <translation>Delete the view?</translation>
    </message>
    <message>
        <source>Supprimer la vue « %1 » ?</source>
        <translation>Delete view “%1”?</translation>
    </message>
    <message>
        <source>La langue changera au prochain démarrage de la console.</source>
        <translation>The language will change the next time the console starts.</translation>
    </message>
    <message>
        <source>vmwall %1 — console d'exploitation pour centres de supervision urbaine.
Logiciel libre (GPL-3.0-or-later).</source>
        <translation>vmwall %1 — operator console for urban CCTV supervision centres.
Free software (GPL-3.0-or-later).</translation>
    </message>
    <message>
        <source>Réglages</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Réglages ignorés (la console démarre sans eux) :</source>
        <translation>Settings ignored (the console starts without them):</translation>
    </message>
</context>
<context>
    <name>EntryHistoryDialog</name>
    <message>
        <source>Historique de l'entrée</source>
        <translation>Entry history</translation>
    </message>
    <message>
        <source>Version actuelle (révision %1)</source>
        <translation>Current version (revision %1)</translation>
    </message>
    <message>
        <source>Révision %1, remplacée le %2 par %3 (champs modifiés : %4)</source>
        <translation>Revision %1, replaced on %2 by %3 (fields changed: %4)</translation>
    </message>
    <message>
        <source>Cette entrée n'a jamais été modifiée.</source>
        <translation>This entry has never been changed.</translation>
    </message>
    <message>
        <source>Heure</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Catégorie</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Lieu</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Caméras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Suites</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>État</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>GridHostWindow</name>
    <message>
        <source>&amp;Disposition</source>
        <translation>&amp;Layout</translation>
    </message>
    <message>
        <source>%1 (personnalisée)</source>
        <translation>%1 (custom)</translation>
    </message>
    <message>
        <source>Disposition suivante</source>
        <translation>Next layout</translation>
    </message>
    <message>
        <source>Disposition précédente</source>
        <translation>Previous layout</translation>
    </message>
    <message numerus="yes">
        <source>%n fichier(s) de disposition ignoré(s)</source>
        <translation>
            <numerusform>%n layout file ignored</numerusform>
            <numerusform>%n layout files ignored</numerusform>
        </translation>
    </message>
    <message>
        <source>Disposition « %1 » introuvable.</source>
        <translation>Layout “%1” not found.</translation>
    </message>
</context>
<context>
    <name>GridWidget</name>
    <message>
        <source>Numéro trop long.</source>
        <translation>Number too long.</translation>
    </message>
    <message>
        <source>Pas de tuile %1 dans cette disposition.</source>
        <translation>No tile %1 in this layout.</translation>
    </message>
    <message>
        <source>Caméra %1 inconnue.</source>
        <translation>Unknown camera %1.</translation>
    </message>
</context>
<context>
    <name>GridWindow</name>
    <message>
        <source>vmwall — grille %1</source>
        <translation>vmwall — grid %1</translation>
    </message>
    <message>
        <source>&amp;Fenêtre</source>
        <translation>&amp;Window</translation>
    </message>
    <message>
        <source>Instantané de la tuile sélectionnée</source>
        <translation>Snapshot of the selected tile</translation>
    </message>
    <message>
        <source>Enregistrer la vue…</source>
        <translation>Save view…</translation>
    </message>
    <message>
        <source>Plein écran</source>
        <translation>Full screen</translation>
    </message>
    <message>
        <source>Revenir à la grille</source>
        <translation>Back to the grid</translation>
    </message>
    <message>
        <source>Fermer cette fenêtre</source>
        <translation>Close this window</translation>
    </message>
    <message>
        <source>&amp;Vues</source>
        <translation>&amp;Views</translation>
    </message>
</context>
<context>
    <name>JournalController</name>
    <message>
        <source>Signets</source>
        <translation>Bookmarks</translation>
    </message>
    <message>
        <source>Main &amp;courante</source>
        <translation>&amp;Log</translation>
    </message>
    <message>
        <source>Panneau de la main courante</source>
        <translation>Operator log panel</translation>
    </message>
    <message>
        <source>Nouvelle entrée sur la tuile sélectionnée</source>
        <translation>New entry on the selected tile</translation>
    </message>
    <message>
        <source>Signet d'incident sur la tuile sélectionnée</source>
        <translation>Incident bookmark on the selected tile</translation>
    </message>
    <message>
        <source>Nouvelle entrée</source>
        <translation>New entry</translation>
    </message>
    <message>
        <source>Rapport de poste…</source>
        <translation>Shift report…</translation>
    </message>
    <message>
        <source>Statistiques mensuelles…</source>
        <translation>Monthly statistics…</translation>
    </message>
    <message>
        <source>Aucun opérateur identifié : la main courante est en lecture seule.</source>
        <translation>No operator signed in: the log is read-only.</translation>
    </message>
    <message>
        <source>La console est verrouillée.</source>
        <translation>The console is locked.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit d'écrire dans la main courante.</source>
        <translation>Your account may not write in the operator log.</translation>
    </message>
    <message>
        <source>Base de données injoignable : gardé sur ce poste, enregistré à son retour.</source>
        <translation>Database unreachable: kept on this workstation, written when it returns.</translation>
    </message>
    <message>
        <source>Quelqu'un l'a modifié entre-temps sur un autre poste : fermez et rouvrez pour repartir de la dernière version.</source>
        <translation>Someone changed it meanwhile on another workstation: close and reopen to start from the latest version.</translation>
    </message>
    <message>
        <source>Refusé par la base de données : %1</source>
        <translation>Refused by the database: %1</translation>
    </message>
    <message>
        <source>Recherche impossible : %1</source>
        <translation>Search failed: %1</translation>
    </message>
    <message>
        <source>Attention : %1 vient de modifier cette entrée sur un autre poste.</source>
        <translation>Warning: %1 has just changed this entry on another workstation.</translation>
    </message>
    <message>
        <source>Main courante : base injoignable, %1 en attente</source>
        <translation>Log: database unreachable, %1 waiting</translation>
    </message>
    <message>
        <source>Main courante : envoi de %1 écriture(s)…</source>
        <translation>Log: sending %1 write(s)…</translation>
    </message>
    <message>
        <source>Une écriture gardée sur ce poste a été refusée par la base : %1</source>
        <translation>A write kept on this workstation was refused by the database: %1</translation>
    </message>
    <message>
        <source>Un autre opérateur a pris la main.</source>
        <translation>Another operator has taken over.</translation>
    </message>
    <message>
        <source>Entrée enregistrée sur ce poste.</source>
        <translation>Entry saved on this workstation.</translation>
    </message>
    <message>
        <source>Entrée enregistrée dans la main courante.</source>
        <translation>Entry saved in the operator log.</translation>
    </message>
    <message>
        <source>Cette entrée n'appartient pas aux communes de votre compte.</source>
        <translation>This entry is not in your account's communes.</translation>
    </message>
    <message>
        <source>Terminez d'abord la modification en cours.</source>
        <translation>Finish the edit in progress first.</translation>
    </message>
    <message>
        <source>Cette entrée n'est pas encore dans la base de données.</source>
        <translation>This entry is not in the database yet.</translation>
    </message>
    <message>
        <source>Entrée close</source>
        <translation>Entry closed</translation>
    </message>
    <message>
        <source>Entrée rouverte</source>
        <translation>Entry reopened</translation>
    </message>
    <message>
        <source>Main courante — brouillon retrouvé</source>
        <translation>Operator log — draft found</translation>
    </message>
    <message>
        <source>Une entrée en cours de saisie le %1 n'a pas été enregistrée (arrêt de la console ?).</source>
        <translation>An entry being typed on %1 was not saved (console stopped?).</translation>
    </message>
    <message>
        <source>Une modification d'entrée en cours le %1 n'a pas été enregistrée (arrêt de la console ?).</source>
        <translation>An entry being edited on %1 was not saved (console stopped?).</translation>
    </message>
    <message>
        <source>« %1 »
La reprendre ?</source>
        <translation>“%1”
Resume it?</translation>
    </message>
    <message>
        <source>Reprendre</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Supprimer le brouillon</source>
        <translation>Delete the draft</translation>
    </message>
    <message>
        <source>L'entrée du brouillon n'existe plus dans la base.</source>
        <translation>The draft's entry no longer exists in the database.</translation>
    </message>
    <message>
        <source>L'entrée a été modifiée depuis ce brouillon (révision %1) : vérifiez avant d'enregistrer.</source>
        <translation>The entry has changed since this draft (revision %1): check before saving.</translation>
    </message>
    <message>
        <source>Brouillon non sauvegardé : %1</source>
        <translation>Draft not saved: %1</translation>
    </message>
    <message>
        <source>cette commune n'appartient pas à votre compte</source>
        <translation>this commune is not in your account</translation>
    </message>
    <message>
        <source>Pas de caméra dans cette tuile.</source>
        <translation>No camera in this tile.</translation>
    </message>
    <message>
        <source>Main courante : nouvelle entrée…</source>
        <translation>Operator log: new entry…</translation>
    </message>
    <message>
        <source>Terminer le signet en cours</source>
        <translation>End the running bookmark</translation>
    </message>
    <message>
        <source>Signet d'incident</source>
        <translation>Incident bookmark</translation>
    </message>
    <message>
        <source>Signets de cette caméra…</source>
        <translation>This camera's bookmarks…</translation>
    </message>
</context>
<context>
    <name>JournalEntryDialog</name>
    <message>
        <source>Main courante — nouvelle entrée</source>
        <translation>Operator log — new entry</translation>
    </message>
    <message>
        <source>Main courante — modifier l'entrée</source>
        <translation>Operator log — edit entry</translation>
    </message>
    <message>
        <source>Maintenant</source>
        <translation>Now</translation>
    </message>
    <message>
        <source>— (aucune)</source>
        <translation>— (none)</translation>
    </message>
    <message>
        <source>— choisir —</source>
        <translation>— choose —</translation>
    </message>
    <message>
        <source>%1 (ancienne)</source>
        <translation>%1 (retired)</translation>
    </message>
    <message>
        <source>Adresse, lieu-dit, repère…</source>
        <translation>Address, place name, landmark…</translation>
    </message>
    <message>
        <source>Numéros séparés par des virgules, p. ex. 12, 14</source>
        <translation>Numbers separated by commas, e.g. 12, 14</translation>
    </message>
    <message>
        <source>Ce qui a été vu, ce qui a été fait…</source>
        <translation>What was seen, what was done…</translation>
    </message>
    <message>
        <source>Note (équipage, n° d'intervention…)</source>
        <translation>Note (patrol, call number…)</translation>
    </message>
    <message>
        <source>Heure</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Opérateur</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Catégorie</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Lieu</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Caméras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Suites</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>État</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Enregistrer</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Historique…</source>
        <translation>History…</translation>
    </message>
    <message>
        <source>commune %1</source>
        <translation>commune %1</translation>
    </message>
    <message>
        <source>Révision %1 — modifiée par %2 le %3.</source>
        <translation>Revision %1 — changed by %2 on %3.</translation>
    </message>
    <message>
        <source>Enregistrée le %1 par %2.</source>
        <translation>Saved on %1 by %2.</translation>
    </message>
    <message>
        <source>Choisissez une catégorie.</source>
        <translation>Choose a category.</translation>
    </message>
    <message>
        <source>La description est vide.</source>
        <translation>The description is empty.</translation>
    </message>
    <message>
        <source>Choisissez une commune.</source>
        <translation>Choose a commune.</translation>
    </message>
    <message>
        <source>« %1 » n'est pas un numéro de caméra.</source>
        <translation>“%1” is not a camera number.</translation>
    </message>
    <message>
        <source>Caméra(s) absente(s) de votre catalogue : %1.</source>
        <translation>Camera(s) not in your catalogue: %1.</translation>
    </message>
    <message>
        <source>Entrée refusée : %1</source>
        <translation>Entry refused: %1</translation>
    </message>
    <message>
        <source>Enregistrement…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>Abandonner la saisie ?</source>
        <translation>Drop this entry?</translation>
    </message>
    <message>
        <source>L'entrée n'est pas enregistrée. L'abandonner (son brouillon sera supprimé) ?</source>
        <translation>The entry is not saved. Drop it (its draft will be deleted)?</translation>
    </message>
</context>
<context>
    <name>JournalPanel</name>
    <message>
        <source>Main courante</source>
        <translation>Operator log</translation>
    </message>
    <message>
        <source>Entrées</source>
        <translation>Entries</translation>
    </message>
    <message>
        <source>Dernières 24 h</source>
        <translation>Last 24 h</translation>
    </message>
    <message>
        <source>7 derniers jours</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>30 derniers jours</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>Tout</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Période choisie</source>
        <translation>Chosen period</translation>
    </message>
    <message>
        <source>Caméra</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Rechercher dans le texte et le lieu</source>
        <translation>Search the text and the place</translation>
    </message>
    <message>
        <source>Tous les états</source>
        <translation>Any status</translation>
    </message>
    <message>
        <source>En cours</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Clos</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Modifier…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>Suites</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>%1 maintenant</source>
        <translation>%1 now</translation>
    </message>
    <message>
        <source>Clore</source>
        <translation>Close entry</translation>
    </message>
    <message>
        <source>Plus anciennes…</source>
        <translation>Older…</translation>
    </message>
    <message>
        <source>Rapport de poste…</source>
        <translation>Shift report…</translation>
    </message>
    <message>
        <source>Statistiques…</source>
        <translation>Statistics…</translation>
    </message>
    <message>
        <source>Toutes les communes</source>
        <translation>Every commune</translation>
    </message>
    <message>
        <source>Toutes mes communes</source>
        <translation>All my communes</translation>
    </message>
    <message>
        <source>Toutes les catégories</source>
        <translation>Every category</translation>
    </message>
    <message>
        <source>%1 (ancienne)</source>
        <translation>%1 (retired)</translation>
    </message>
    <message>
        <source>Base de données injoignable depuis %1</source>
        <translation>Database unreachable since %1</translation>
    </message>
    <message>
        <source>Base de données injoignable</source>
        <translation>Database unreachable</translation>
    </message>
    <message>
        <source> : %1 écriture(s) gardée(s) sur ce poste, enregistrée(s) dans l'ordre à son retour.</source>
        <translation>: %1 write(s) kept on this workstation, written in order when it returns.</translation>
    </message>
    <message>
        <source> : les nouvelles entrées seront gardées sur ce poste.</source>
        <translation>: new entries will be kept on this workstation.</translation>
    </message>
    <message>
        <source>Envoi de %1 écriture(s) en attente…</source>
        <translation>Sending %1 waiting write(s)…</translation>
    </message>
    <message>
        <source>%1 écriture(s) refusée(s) par la base de données (voir le journal du poste).</source>
        <translation>%1 write(s) refused by the database (see the workstation log).</translation>
    </message>
    <message>
        <source>La période finit avant de commencer.</source>
        <translation>The period ends before it starts.</translation>
    </message>
    <message>
        <source> (et plus anciennes)</source>
        <translation> (and older)</translation>
    </message>
    <message numerus="yes">
        <source>%n entrée(s)</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
    <message>
        <source>Rouvrir</source>
        <translation>Reopen</translation>
    </message>
</context>
<context>
    <name>JournalTableModel</name>
    <message>
        <source>Heure</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Catégorie</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Lieu</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Caméras</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Suites</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>État</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Opérateur</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>en attente d'envoi</source>
        <translation>waiting to be sent</translation>
    </message>
    <message>
        <source>Révision %1, modifiée par %2 le %3</source>
        <translation>Revision %1, changed by %2 on %3</translation>
    </message>
    <message>
        <source>Pas encore dans la base de données : gardée sur ce poste, envoyée à son retour.</source>
        <translation>Not in the database yet: kept on this workstation, sent when it returns.</translation>
    </message>
</context>
<context>
    <name>JournalTexts</name>
    <message>
        <source>Police demandée</source>
        <translation>Police requested</translation>
    </message>
    <message>
        <source>Police sur place</source>
        <translation>Police on site</translation>
    </message>
    <message>
        <source>Police repartie</source>
        <translation>Police gone</translation>
    </message>
    <message>
        <source>En cours</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Clos</source>
        <translation>Closed</translation>
    </message>
</context>
<context>
    <name>LockScreenWidget</name>
    <message>
        <source>Console verrouillée</source>
        <translation>Console locked</translation>
    </message>
    <message>
        <source>Mot de passe</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Déverrouiller</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>Changer d'opérateur…</source>
        <translation>Change operator…</translation>
    </message>
    <message>
        <source>Session de %1</source>
        <translation>Session of %1</translation>
    </message>
    <message>
        <source>Saisissez votre mot de passe.</source>
        <translation>Enter your password.</translation>
    </message>
    <message>
        <source>Vérification…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Connexion impossible : %1</source>
        <translation>Cannot sign in: %1</translation>
    </message>
    <message>
        <source>Identifiant ou mot de passe incorrect.</source>
        <translation>Wrong login or password.</translation>
    </message>
    <message>
        <source>Trop de mots de passe erronés : réessayez dans %1 s.</source>
        <translation>Too many wrong passwords: try again in %1 s.</translation>
    </message>
    <message>
        <source>Aucun compte n'existe encore. Créez le premier administrateur avec :
vmwall users add IDENTIFIANT --role administrateur --password-stdin</source>
        <translation>No account exists yet. Create the first administrator with:
vmwall users add LOGIN --role administrateur --password-stdin</translation>
    </message>
    <message>
        <source>Ce compte est désactivé.</source>
        <translation>This account is deactivated.</translation>
    </message>
    <message>
        <source>Ce compte n'est pas encore valide.</source>
        <translation>This account is not valid yet.</translation>
    </message>
    <message>
        <source>Ce compte a expiré.</source>
        <translation>This account has expired.</translation>
    </message>
    <message>
        <source>Ce compte de policier municipal n'a aucune commune.</source>
        <translation>This municipal police account has no commune.</translation>
    </message>
    <message>
        <source>Aucun agrément n'est enregistré pour ce compte.</source>
        <translation>No agrément is on record for this account.</translation>
    </message>
    <message>
        <source>Votre agrément est suspendu : connexion refusée.</source>
        <translation>Your agrément is suspended: sign-in refused.</translation>
    </message>
    <message>
        <source>Votre agrément a expiré : connexion refusée.</source>
        <translation>Your agrément has expired: sign-in refused.</translation>
    </message>
    <message>
        <source>Votre formation n'est pas enregistrée : connexion refusée.</source>
        <translation>Your training is not on record: sign-in refused.</translation>
    </message>
    <message>
        <source>La charte d'utilisation n'est pas signée : connexion refusée.</source>
        <translation>The user charter is not signed: sign-in refused.</translation>
    </message>
    <message>
        <source>Changer d'opérateur</source>
        <translation>Change operator</translation>
    </message>
    <message>
        <source>vmwall — connexion</source>
        <translation>vmwall — sign in</translation>
    </message>
    <message>
        <source>Relève : la session de %1 sera fermée et enregistrée.</source>
        <translation>Shift handover: the session of %1 will be closed and recorded.</translation>
    </message>
    <message>
        <source>Compte nominatif : identifiez-vous pour accéder à la console.</source>
        <translation>Named account: sign in to use the console.</translation>
    </message>
    <message>
        <source>Identifiant :</source>
        <translation>Login:</translation>
    </message>
    <message>
        <source>Mot de passe :</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>Prendre la main</source>
        <translation>Take over</translation>
    </message>
    <message>
        <source>Se connecter</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Quitter</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Saisissez votre identifiant et votre mot de passe.</source>
        <translation>Enter your login and your password.</translation>
    </message>
</context>
<context>
    <name>MonthlyStatsDialog</name>
    <message>
        <source>Main courante — statistiques mensuelles</source>
        <translation>Operator log — monthly statistics</translation>
    </message>
    <message>
        <source>Toutes les communes</source>
        <translation>Every commune</translation>
    </message>
    <message>
        <source>Mois précédent</source>
        <translation>Previous month</translation>
    </message>
    <message>
        <source>Mois suivant</source>
        <translation>Next month</translation>
    </message>
    <message>
        <source>Commune</source>
        <translation>Commune</translation>
    </message>
    <message>
        <source>Entrées par catégorie</source>
        <translation>Entries by category</translation>
    </message>
    <message>
        <source>Entrées par heure de la journée</source>
        <translation>Entries by hour of day</translation>
    </message>
    <message>
        <source>heure</source>
        <translation>hour</translation>
    </message>
    <message>
        <source>Aucune statistique par opérateur : la main courante ne classe personne.</source>
        <translation>No statistics per operator: the log never ranks anyone.</translation>
    </message>
    <message>
        <source>Aucune commune à afficher.</source>
        <translation>No commune to show.</translation>
    </message>
    <message>
        <source>Calcul…</source>
        <translation>Computing…</translation>
    </message>
    <message>
        <source>Statistiques indisponibles : %1</source>
        <translation>Statistics unavailable: %1</translation>
    </message>
    <message>
        <source>%1 entrée(s) en %2/%3</source>
        <translation>%1 entry(ies) in %2/%3</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Le nouveau mot de passe doit compter au moins %1 caractères.</source>
        <translation>The new password must have at least %1 characters.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe doit compter au plus %1 caractères.</source>
        <translation>The new password must have at most %1 characters.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe ne doit contenir ni retour à la ligne ni caractère nul.</source>
        <translation>The new password must not contain line breaks or NUL characters.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe ne doit contenir ni votre identifiant ni votre nom.</source>
        <translation>The new password must not contain your login or your name.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe ne doit pas répéter un ou deux caractères.</source>
        <translation>The new password must not repeat one or two characters.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe doit mêler trois sortes de caractères (minuscules, majuscules, chiffres, autres) ou compter au moins 16 caractères.</source>
        <translation>The new password must mix three kinds of characters (lower case, upper case, digits, others) or have at least 16 characters.</translation>
    </message>
    <message>
        <source>Le nouveau mot de passe doit être différent de l'actuel.</source>
        <translation>The new password must differ from the current one.</translation>
    </message>
    <message>
        <source>Changer mon mot de passe</source>
        <translation>Change my password</translation>
    </message>
    <message>
        <source>Compte : %1</source>
        <translation>Account: %1</translation>
    </message>
    <message>
        <source>Au moins %1 caractères mêlant minuscules, majuscules, chiffres ou autres signes (ou une phrase d'au moins 16 caractères), sans votre identifiant ni votre nom.</source>
        <translation>At least %1 characters mixing lower case, upper case, digits or other signs (or a phrase of at least 16 characters), without your login or your name.</translation>
    </message>
    <message>
        <source>Mot de passe actuel :</source>
        <translation>Current password:</translation>
    </message>
    <message>
        <source>Nouveau mot de passe :</source>
        <translation>New password:</translation>
    </message>
    <message>
        <source>Confirmation :</source>
        <translation>Confirm:</translation>
    </message>
    <message>
        <source>Changer</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Annuler</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Saisissez votre mot de passe actuel et le nouveau.</source>
        <translation>Type your current password and the new one.</translation>
    </message>
    <message>
        <source>La confirmation ne correspond pas au nouveau mot de passe.</source>
        <translation>The confirmation does not match the new password.</translation>
    </message>
    <message>
        <source>Mot de passe actuel refusé : %1</source>
        <translation>Current password refused: %1</translation>
    </message>
    <message>
        <source>Changement impossible : %1</source>
        <translation>Cannot change the password: %1</translation>
    </message>
</context>
<context>
    <name>PresetNameDialog</name>
    <message>
        <source>Enregistrer le mur comme préréglage</source>
        <translation>Save the wall as a preset</translation>
    </message>
    <message>
        <source>ex. : normal, marché de Noël, manifestation</source>
        <translation>e.g. normal, Christmas market, demonstration</translation>
    </message>
    <message>
        <source>Nom :</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Le préréglage « %1 » existe : il sera remplacé.</source>
        <translation>Preset “%1” exists: it will be replaced.</translation>
    </message>
    <message>
        <source>Remplacer</source>
        <translation>Replace</translation>
    </message>
    <message>
        <source>Enregistrer</source>
        <translation>Save</translation>
    </message>
</context>
<context>
    <name>PtzController</name>
    <message>
        <source>&amp;PTZ</source>
        <translation>&amp;PTZ</translation>
    </message>
    <message>
        <source>Panneau PTZ</source>
        <translation>PTZ panel</translation>
    </message>
    <message>
        <source>Tourner à gauche</source>
        <translation>Pan left</translation>
    </message>
    <message>
        <source>Tourner à droite</source>
        <translation>Pan right</translation>
    </message>
    <message>
        <source>Lever</source>
        <translation>Tilt up</translation>
    </message>
    <message>
        <source>Baisser</source>
        <translation>Tilt down</translation>
    </message>
    <message>
        <source>Zoomer</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>Dézoomer</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>Position d'origine</source>
        <translation>Home position</translation>
    </message>
    <message>
        <source>Arrêter la caméra</source>
        <translation>Stop the camera</translation>
    </message>
    <message>
        <source>démarrage du pilotage PTZ…</source>
        <translation>starting PTZ control…</translation>
    </message>
    <message>
        <source>Pilotage PTZ indisponible : %1</source>
        <translation>PTZ control unavailable: %1</translation>
    </message>
    <message>
        <source>Aucune caméra dans cette tuile.</source>
        <translation>No camera in this tile.</translation>
    </message>
    <message>
        <source>Le pilotage PTZ n'est pas disponible sur cette console.</source>
        <translation>PTZ control is not available on this console.</translation>
    </message>
    <message>
        <source>La caméra %1 n'existe pas dans le catalogue.</source>
        <translation>Camera %1 is not in the catalogue.</translation>
    </message>
    <message>
        <source>Cette caméra n'est pas visible en direct par ce compte.</source>
        <translation>This account may not view this camera live.</translation>
    </message>
    <message>
        <source>Caméra fixe : pas de commande PTZ.</source>
        <translation>Fixed camera: no PTZ control.</translation>
    </message>
    <message>
        <source>PTZ : vous</source>
        <translation>PTZ: you</translation>
    </message>
    <message>
        <source>PTZ : %1</source>
        <translation>PTZ: %1</translation>
    </message>
    <message>
        <source>Pilotage PTZ indisponible.</source>
        <translation>PTZ control unavailable.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit de piloter les caméras PTZ.</source>
        <translation>Your account has no right to drive PTZ cameras.</translation>
    </message>
    <message>
        <source>%1 : caméra fixe, pas de commande PTZ.</source>
        <translation>%1: fixed camera, no PTZ control.</translation>
    </message>
    <message>
        <source>%1 ne sait pas se centrer sur un point.</source>
        <translation>%1 cannot centre on a point.</translation>
    </message>
    <message>
        <source>%1 ne sait pas zoomer sur un cadre.</source>
        <translation>%1 cannot zoom into a box.</translation>
    </message>
    <message>
        <source>La mise au point n'est pas disponible sur cette console.</source>
        <translation>Focus control is not available on this console.</translation>
    </message>
    <message>
        <source>Préréglage « %1 » enregistré.</source>
        <translation>Preset “%1” saved.</translation>
    </message>
    <message>
        <source>Choisissez d'abord un préréglage dans la liste.</source>
        <translation>Choose a preset in the list first.</translation>
    </message>
    <message>
        <source>Ajoutez au moins un préréglage à la ronde.</source>
        <translation>Add at least one preset to the tour.</translation>
    </message>
    <message>
        <source>Vous pilotez la %1.</source>
        <translation>You are driving %1.</translation>
    </message>
    <message>
        <source>Vous avez repris la main sur la %1 (à %2).</source>
        <translation>You took over %1 (from %2).</translation>
    </message>
    <message>
        <source>%1 : pilotée par %2, de priorité égale ou supérieure — prise de main refusée.</source>
        <translation>%1: driven by %2, of equal or higher priority — take-over refused.</translation>
    </message>
    <message>
        <source>Vous avez rendu la main sur la %1.</source>
        <translation>You released %1.</translation>
    </message>
    <message>
        <source>%1 : main rendue automatiquement après inactivité.</source>
        <translation>%1: control released automatically after inactivity.</translation>
    </message>
    <message>
        <source>%1 : %2 a pris la main.</source>
        <translation>%1: %2 took over.</translation>
    </message>
    <message>
        <source>%1 : ronde arrêtée (%2).</source>
        <translation>%1: tour stopped (%2).</translation>
    </message>
    <message>
        <source>%1 répond de nouveau.</source>
        <translation>%1 answers again.</translation>
    </message>
    <message>
        <source>Aucune caméra dans la tuile sélectionnée</source>
        <translation>No camera in the selected tile</translation>
    </message>
    <message>
        <source>Caméra %1</source>
        <translation>Camera %1</translation>
    </message>
    <message>
        <source>chargement du catalogue…</source>
        <translation>loading the catalogue…</translation>
    </message>
    <message>
        <source>Caméra inconnue du catalogue.</source>
        <translation>Camera not in the catalogue.</translation>
    </message>
    <message>
        <source>lecture des capacités PTZ de la caméra…</source>
        <translation>reading the camera's PTZ capabilities…</translation>
    </message>
    <message>
        <source>Libre : personne ne pilote cette caméra.</source>
        <translation>Free: nobody is driving this camera.</translation>
    </message>
    <message>
        <source>Pilotée par vous.</source>
        <translation>Driven by you.</translation>
    </message>
    <message>
        <source>Pilotée par %1</source>
        <translation>Driven by %1</translation>
    </message>
    <message>
        <source>Pilotée par %1 : prenez la main pour la commander.</source>
        <translation>Driven by %1: take control to command it.</translation>
    </message>
    <message>
        <source>lecture des capacités de mise au point de la caméra…</source>
        <translation>reading the camera's focus capabilities…</translation>
    </message>
    <message>
        <source>Cette caméra n'offre pas de mise au point pilotable.</source>
        <translation>This camera offers no controllable focus.</translation>
    </message>
</context>
<context>
    <name>PtzPanel</name>
    <message>
        <source>PTZ</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <source>Prendre la main</source>
        <translation>Take control</translation>
    </message>
    <message>
        <source>Rendre la main</source>
        <translation>Release control</translation>
    </message>
    <message>
        <source>Piloter cette caméra ; un chef de salle reprend la main à un opérateur</source>
        <translation>Drive this camera; a shift supervisor takes over from an operator</translation>
    </message>
    <message>
        <source>Glisser pour orienter la caméra : plus loin du centre, plus vite</source>
        <translation>Drag to aim the camera: the further from the centre, the faster</translation>
    </message>
    <message>
        <source>Pousser vers le haut pour zoomer, vers le bas pour dézoomer</source>
        <translation>Push up to zoom in, down to zoom out</translation>
    </message>
    <message>
        <source>Origine</source>
        <translation>Home</translation>
    </message>
    <message>
        <source>Ramener la caméra à sa position d'origine</source>
        <translation>Send the camera back to its home position</translation>
    </message>
    <message>
        <source>Mise au point :</source>
        <translation>Focus:</translation>
    </message>
    <message>
        <source>Près</source>
        <translation>Near</translation>
    </message>
    <message>
        <source>Maintenir pour faire la mise au point plus près</source>
        <translation>Hold to focus nearer</translation>
    </message>
    <message>
        <source>Loin</source>
        <translation>Far</translation>
    </message>
    <message>
        <source>Maintenir pour faire la mise au point plus loin</source>
        <translation>Hold to focus farther</translation>
    </message>
    <message>
        <source>Autofocus</source>
        <translation>Autofocus</translation>
    </message>
    <message>
        <source>Mise au point automatique par la caméra</source>
        <translation>Automatic focus by the camera</translation>
    </message>
    <message>
        <source>Sur l'image : clic = centrer, glisser un cadre = zoomer dessus, molette = zoom.</source>
        <translation>On the picture: click = centre, drag a box = zoom into it, wheel = zoom.</translation>
    </message>
    <message>
        <source>Aucune tuile sélectionnée</source>
        <translation>No tile selected</translation>
    </message>
</context>
<context>
    <name>PtzPresetsWidget</name>
    <message>
        <source>Préréglages</source>
        <translation>Presets</translation>
    </message>
    <message>
        <source>Aller</source>
        <translation>Go</translation>
    </message>
    <message>
        <source>Enregistrer…</source>
        <translation>Save…</translation>
    </message>
    <message>
        <source>Renommer…</source>
        <translation>Rename…</translation>
    </message>
    <message>
        <source>Supprimer</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Envoyer la caméra sur ce préréglage (double-clic)</source>
        <translation>Send the camera to this preset (double click)</translation>
    </message>
    <message>
        <source>Enregistrer la position actuelle comme nouveau préréglage</source>
        <translation>Save the current position as a new preset</translation>
    </message>
    <message>
        <source>Préréglage %1</source>
        <translation>Preset %1</translation>
    </message>
    <message>
        <source>Nouveau préréglage</source>
        <translation>New preset</translation>
    </message>
    <message>
        <source>Renommer le préréglage</source>
        <translation>Rename the preset</translation>
    </message>
    <message>
        <source>Supprimer le préréglage ?</source>
        <translation>Delete the preset?</translation>
    </message>
    <message>
        <source>Supprimer le préréglage « %1 » de la caméra ?</source>
        <translation>Delete the preset “%1” from the camera?</translation>
    </message>
    <message>
        <source>Nom du préréglage :</source>
        <translation>Preset name:</translation>
    </message>
    <message>
        <source>Le nom ne peut pas être vide. Nom du préréglage :</source>
        <translation>The name cannot be empty. Preset name:</translation>
    </message>
    <message>
        <source>%1 caractères au plus. Nom du préréglage :</source>
        <translation>%1 characters at most. Preset name:</translation>
    </message>
    <message>
        <source>« %1 » existe déjà. Nom du préréglage :</source>
        <translation>“%1” already exists. Preset name:</translation>
    </message>
</context>
<context>
    <name>PtzTexts</name>
    <message>
        <source>opérateur</source>
        <translation>operator</translation>
    </message>
    <message>
        <source>chef de salle</source>
        <translation>shift supervisor</translation>
    </message>
    <message>
        <source>policier municipal</source>
        <translation>municipal police officer</translation>
    </message>
    <message>
        <source>référent réquisitions</source>
        <translation>requisitions officer</translation>
    </message>
    <message>
        <source>administrateur technique</source>
        <translation>technical administrator</translation>
    </message>
    <message>
        <source>DPO / contrôle</source>
        <translation>DPO / oversight</translation>
    </message>
    <message>
        <source>caméra %1</source>
        <translation>camera %1</translation>
    </message>
    <message>
        <source>caméra %1 (%2)</source>
        <translation>camera %1 (%2)</translation>
    </message>
    <message>
        <source>Erreur PTZ : %1</source>
        <translation>PTZ error: %1</translation>
    </message>
    <message>
        <source>un autre opérateur</source>
        <translation>another operator</translation>
    </message>
    <message>
        <source>%1 est pilotée par %2 : commande refusée.</source>
        <translation>%1 is driven by %2: command refused.</translation>
    </message>
    <message>
        <source>%1 refuse les identifiants (mot de passe à vérifier).</source>
        <translation>%1 refused the credentials (check the password).</translation>
    </message>
    <message>
        <source>%1 ne répond pas (délai dépassé ou caméra injoignable) ; arrêt renvoyé dès son retour.</source>
        <translation>%1 does not answer (timed out or unreachable); a Stop will be sent as soon as it is back.</translation>
    </message>
    <message>
        <source>%1 a renvoyé une erreur ONVIF.</source>
        <translation>%1 returned an ONVIF error.</translation>
    </message>
    <message>
        <source>%1 ne prend pas en charge cette commande.</source>
        <translation>%1 does not support this command.</translation>
    </message>
    <message>
        <source>%1 : caméra ou préréglage introuvable.</source>
        <translation>%1: camera or preset not found.</translation>
    </message>
    <message>
        <source>%1 : demande invalide.</source>
        <translation>%1: invalid request.</translation>
    </message>
    <message>
        <source>%1 : la coordination PTZ (base de données) est indisponible.</source>
        <translation>%1: PTZ coordination (database) is unavailable.</translation>
    </message>
    <message>
        <source>%1 : erreur PTZ.</source>
        <translation>%1: PTZ error.</translation>
    </message>
</context>
<context>
    <name>PtzTourWidget</name>
    <message>
        <source>Ronde</source>
        <translation>Tour</translation>
    </message>
    <message>
        <source>Préréglage</source>
        <translation>Preset</translation>
    </message>
    <message>
        <source>Pause (s)</source>
        <translation>Dwell (s)</translation>
    </message>
    <message>
        <source>Ajouter le préréglage</source>
        <translation>Add the preset</translation>
    </message>
    <message>
        <source>Ajoute à la ronde le préréglage choisi dans la liste</source>
        <translation>Adds the preset chosen in the list to the tour</translation>
    </message>
    <message>
        <source>Retirer l'étape</source>
        <translation>Remove the step</translation>
    </message>
    <message>
        <source>Démarrer</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Arrêter</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Ronde arrêtée</source>
        <translation>Tour stopped</translation>
    </message>
    <message>
        <source>Ronde en cours : étape %1/%2 (%3)</source>
        <translation>Tour running: step %1/%2 (%3)</translation>
    </message>
</context>
<context>
    <name>SaveViewDialog</name>
    <message>
        <source>Enregistrer la vue</source>
        <translation>Save view</translation>
    </message>
    <message>
        <source>Pour moi seulement</source>
        <translation>For me only</translation>
    </message>
    <message>
        <source>Partagée avec tout le centre</source>
        <translation>Shared with the whole centre</translation>
    </message>
    <message>
        <source>Aucun compte nommé sur cette console (réglage « user » ou --user).</source>
        <translation>No named account on this console (setting “user” or --user).</translation>
    </message>
    <message>
        <source>Nom :</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Disposition :</source>
        <translation>Layout:</translation>
    </message>
    <message>
        <source>Remplacer la vue ?</source>
        <translation>Replace the view?</translation>
    </message>
    <message>
        <source>Une vue « %1 » existe déjà. La remplacer ?</source>
        <translation>A view “%1” already exists. Replace it?</translation>
    </message>
</context>
<context>
    <name>SequenceEditorDialog</name>
    <message>
        <source>Modifier la séquence</source>
        <translation>Edit the sequence</translation>
    </message>
    <message>
        <source>Nouvelle séquence</source>
        <translation>New sequence</translation>
    </message>
    <message>
        <source>(aucun : tour de préréglages)</source>
        <translation>(none: a tour of presets)</translation>
    </message>
    <message>
        <source>Nom :</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Écran cible :</source>
        <translation>Target screen:</translation>
    </message>
    <message>
        <source>Tuile cible :</source>
        <translation>Target tile:</translation>
    </message>
    <message>
        <source>Étape</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>Contenu</source>
        <translation>Content</translation>
    </message>
    <message>
        <source>Durée (s)</source>
        <translation>Dwell (s)</translation>
    </message>
    <message>
        <source>+ Caméra</source>
        <translation>+ Camera</translation>
    </message>
    <message>
        <source>+ Préréglage</source>
        <translation>+ Preset</translation>
    </message>
    <message>
        <source>Retirer</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Monter</source>
        <translation>Move up</translation>
    </message>
    <message>
        <source>Descendre</source>
        <translation>Move down</translation>
    </message>
    <message>
        <source>Ajouter une caméra (ou glisser une caméra de l'arbre ici)</source>
        <translation>Add a camera (or drag a camera from the tree here)</translation>
    </message>
    <message>
        <source>Aucun préréglage enregistré</source>
        <translation>No preset saved</translation>
    </message>
    <message>
        <source>Aucune caméra visible par votre compte</source>
        <translation>No camera visible to your account</translation>
    </message>
    <message>
        <source>Étapes :</source>
        <translation>Steps:</translation>
    </message>
    <message>
        <source>Caméra %1 : hors de votre périmètre ou inconnue.</source>
        <translation>Camera %1: outside your scope or unknown.</translation>
    </message>
    <message>
        <source>Caméra</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Préréglage</source>
        <translation>Preset</translation>
    </message>
    <message>
        <source>%1 — (hors de votre périmètre)</source>
        <translation>%1 — (outside your scope)</translation>
    </message>
    <message>
        <source>%1 (supprimé)</source>
        <translation>%1 (deleted)</translation>
    </message>
    <message>
        <source>Donnez un nom à la séquence.</source>
        <translation>Give the sequence a name.</translation>
    </message>
    <message>
        <source>Une séquence « %1 » existe déjà.</source>
        <translation>A sequence “%1” already exists.</translation>
    </message>
    <message>
        <source>Ajoutez au moins une étape.</source>
        <translation>Add at least one step.</translation>
    </message>
    <message>
        <source>Chaque étape doit nommer une caméra ou un préréglage.</source>
        <translation>Each step must name a camera or a preset.</translation>
    </message>
    <message>
        <source>Une séquence de caméras doit avoir un écran cible.</source>
        <translation>A camera sequence needs a target screen.</translation>
    </message>
</context>
<context>
    <name>ShiftReportDialog</name>
    <message>
        <source>Rapport de poste</source>
        <translation>Shift report</translation>
    </message>
    <message>
        <source>Depuis la prise de poste (%1)</source>
        <translation>Since the shift began (%1)</translation>
    </message>
    <message>
        <source>Dernières 8 h</source>
        <translation>Last 8 h</translation>
    </message>
    <message>
        <source>Dernières 12 h</source>
        <translation>Last 12 h</translation>
    </message>
    <message>
        <source>Dernières 24 h</source>
        <translation>Last 24 h</translation>
    </message>
    <message>
        <source>Période choisie</source>
        <translation>Chosen period</translation>
    </message>
    <message>
        <source>Actualiser</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Imprimer…</source>
        <translation>Print…</translation>
    </message>
    <message>
        <source>Enregistrer en PDF…</source>
        <translation>Save as PDF…</translation>
    </message>
    <message>
        <source>Fermer</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>La période finit avant de commencer.</source>
        <translation>The period ends before it starts.</translation>
    </message>
    <message>
        <source>Préparation du rapport…</source>
        <translation>Preparing the report…</translation>
    </message>
    <message>
        <source>Rapport impossible : %1</source>
        <translation>Report failed: %1</translation>
    </message>
    <message>
        <source>Enregistrer le rapport</source>
        <translation>Save the report</translation>
    </message>
    <message>
        <source>Écriture du PDF…</source>
        <translation>Writing the PDF…</translation>
    </message>
    <message>
        <source>PDF impossible : %1</source>
        <translation>PDF failed: %1</translation>
    </message>
    <message>
        <source>Rapport enregistré : %1</source>
        <translation>Report saved: %1</translation>
    </message>
    <message>
        <source>Impression…</source>
        <translation>Printing…</translation>
    </message>
    <message>
        <source>Rapport envoyé à l'imprimante.</source>
        <translation>Report sent to the printer.</translation>
    </message>
    <message>
        <source>Impression impossible : %1</source>
        <translation>Printing failed: %1</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Appeler la caméra tapée dans la tuile sélectionnée</source>
        <translation>Call the typed camera into the selected tile</translation>
    </message>
    <message>
        <source>Sélectionner la tuile de numéro tapé</source>
        <translation>Select the tile with the typed number</translation>
    </message>
    <message>
        <source>Caméra suivante</source>
        <translation>Next camera</translation>
    </message>
    <message>
        <source>Caméra précédente</source>
        <translation>Previous camera</translation>
    </message>
    <message>
        <source>Tuile à gauche</source>
        <translation>Tile to the left</translation>
    </message>
    <message>
        <source>Tuile à droite</source>
        <translation>Tile to the right</translation>
    </message>
    <message>
        <source>Tuile au-dessus</source>
        <translation>Tile above</translation>
    </message>
    <message>
        <source>Tuile au-dessous</source>
        <translation>Tile below</translation>
    </message>
    <message>
        <source>Agrandir / restaurer la tuile</source>
        <translation>Maximise / restore the tile</translation>
    </message>
    <message>
        <source>Retirer la caméra de la tuile</source>
        <translation>Remove the camera from the tile</translation>
    </message>
    <message>
        <source>Effacer le numéro tapé</source>
        <translation>Clear the typed number</translation>
    </message>
    <message>
        <source>Instantané de la tuile</source>
        <translation>Snapshot of the tile</translation>
    </message>
    <message>
        <source>Disposition suivante</source>
        <translation>Next layout</translation>
    </message>
    <message>
        <source>Disposition précédente</source>
        <translation>Previous layout</translation>
    </message>
    <message>
        <source>Plein écran</source>
        <translation>Full screen</translation>
    </message>
    <message>
        <source>Rechercher une caméra</source>
        <translation>Search for a camera</translation>
    </message>
    <message>
        <source>Revenir à la grille (pavé numérique)</source>
        <translation>Back to the grid (keypad)</translation>
    </message>
    <message>
        <source>Nouvelle fenêtre de grille</source>
        <translation>New grid window</translation>
    </message>
    <message>
        <source>Enregistrer la vue</source>
        <translation>Save view</translation>
    </message>
    <message>
        <source>Afficher / masquer le panneau PTZ</source>
        <translation>Show / hide the PTZ panel</translation>
    </message>
    <message>
        <source>PTZ : tourner à gauche</source>
        <translation>PTZ: pan left</translation>
    </message>
    <message>
        <source>PTZ : tourner à droite</source>
        <translation>PTZ: pan right</translation>
    </message>
    <message>
        <source>PTZ : lever</source>
        <translation>PTZ: tilt up</translation>
    </message>
    <message>
        <source>PTZ : baisser</source>
        <translation>PTZ: tilt down</translation>
    </message>
    <message>
        <source>PTZ : zoomer</source>
        <translation>PTZ: zoom in</translation>
    </message>
    <message>
        <source>PTZ : dézoomer</source>
        <translation>PTZ: zoom out</translation>
    </message>
    <message>
        <source>PTZ : position d'origine</source>
        <translation>PTZ: home position</translation>
    </message>
    <message>
        <source>Disposition %1</source>
        <translation>Layout %1</translation>
    </message>
    <message>
        <source>Raccourcis clavier</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Pavé : tapez un numéro de caméra puis Entrée pour l'appeler dans la tuile sélectionnée ; un numéro de tuile puis * pour la sélectionner. Les raccourcis se changent dans la section « shortcuts » de %1.</source>
        <translation>Keypad: type a camera number then Enter to call it into the selected tile; a tile number then * to select it. Shortcuts are changed in the “shortcuts” section of %1.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Touches</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>(aucune)</source>
        <translation>(none)</translation>
    </message>
</context>
<context>
    <name>TileWidget</name>
    <message>
        <source>Tuile %1 — vide</source>
        <translation>Tile %1 — empty</translation>
    </message>
    <message>
        <source>Glissez une caméra ici, ou tapez son numéro puis Entrée.</source>
        <translation>Drag a camera here, or type its number then Enter.</translation>
    </message>
    <message>
        <source>chargement…</source>
        <translation>loading…</translation>
    </message>
    <message>
        <source>chargement du catalogue…</source>
        <translation>loading the camera catalogue…</translation>
    </message>
    <message>
        <source>non autorisé</source>
        <translation>not authorised</translation>
    </message>
    <message>
        <source>pas de vidéo</source>
        <translation>no video</translation>
    </message>
    <message>
        <source>vidéo indisponible</source>
        <translation>video unavailable</translation>
    </message>
    <message>
        <source>libVLC n'est pas installé sur ce poste (vmwall doctor).</source>
        <translation>libVLC is not installed on this workstation (vmwall doctor).</translation>
    </message>
    <message>
        <source>en direct</source>
        <translation>live</translation>
    </message>
    <message>
        <source>signal perdu — nouvel essai dans %1 s</source>
        <translation>signal lost — retrying in %1 s</translation>
    </message>
    <message>
        <source>signal perdu — nouvel essai…</source>
        <translation>signal lost — retrying…</translation>
    </message>
    <message>
        <source>connexion…</source>
        <translation>connecting…</translation>
    </message>
    <message>
        <source>la caméra refuse les identifiants (mot de passe à vérifier)</source>
        <translation>the camera refuses the credentials (check the password)</translation>
    </message>
    <message>
        <source>le trousseau de clés est inaccessible au hub vidéo (vmwall doctor)</source>
        <translation>the video hub cannot reach the keyring (vmwall doctor)</translation>
    </message>
    <message>
        <source>commune en stockage seul : jamais affichée en direct</source>
        <translation>storage-only commune: never shown live</translation>
    </message>
    <message>
        <source>hub vidéo : %1</source>
        <translation>video hub: %1</translation>
    </message>
    <message>
        <source>le flux s'est arrêté</source>
        <translation>the stream ended</translation>
    </message>
    <message>
        <source>erreur de flux</source>
        <translation>stream error</translation>
    </message>
    <message>
        <source>aucune image après %1 s</source>
        <translation>no picture after %1 s</translation>
    </message>
    <message>
        <source>plus d'image depuis %1 s</source>
        <translation>no picture for %1 s</translation>
    </message>
    <message>
        <source>La caméra %1 n'existe pas dans le catalogue.</source>
        <translation>Camera %1 is not in the catalogue.</translation>
    </message>
    <message>
        <source>%1 a un forfait stockage seul : ses caméras ne sont jamais montrées en direct.</source>
        <translation>%1 has a storage-only package: its cameras are never shown live.</translation>
    </message>
    <message>
        <source>Hors des heures de visionnage de %1 (%2).</source>
        <translation>Outside the live viewing hours of %1 (%2).</translation>
    </message>
    <message>
        <source>Cette caméra n'appartient pas aux communes de votre compte.</source>
        <translation>This camera is not in your account's communes.</translation>
    </message>
    <message>
        <source>Votre compte ne couvre pas la commune %1.</source>
        <translation>Your account does not cover %1.</translation>
    </message>
    <message>
        <source>Votre compte n'a pas le droit de visionnage en direct.</source>
        <translation>Your account has no live viewing right.</translation>
    </message>
    <message>
        <source>principal</source>
        <translation>main</translation>
    </message>
    <message>
        <source>secondaire</source>
        <translation>sub</translation>
    </message>
    <message>
        <source>Instantané</source>
        <translation>Snapshot</translation>
    </message>
    <message>
        <source>Il faut une image en direct dans la tuile.</source>
        <translation>The tile needs a live picture.</translation>
    </message>
    <message>
        <source>Flux</source>
        <translation>Stream</translation>
    </message>
    <message>
        <source>Automatique (selon la taille)</source>
        <translation>Automatic (by size)</translation>
    </message>
    <message>
        <source>Principal (pleine résolution)</source>
        <translation>Main (full resolution)</translation>
    </message>
    <message>
        <source>Secondaire (basse résolution)</source>
        <translation>Sub (low resolution)</translation>
    </message>
    <message>
        <source>Restaurer la grille</source>
        <translation>Restore the grid</translation>
    </message>
    <message>
        <source>Agrandir</source>
        <translation>Maximise</translation>
    </message>
    <message>
        <source>Retirer la caméra</source>
        <translation>Remove the camera</translation>
    </message>
    <message>
        <source>PTZ…</source>
        <translation>PTZ…</translation>
    </message>
    <message>
        <source>Le pilotage PTZ n'est pas disponible sur cette console.</source>
        <translation>PTZ control is not available on this console.</translation>
    </message>
</context>
<context>
    <name>WallNodesWidget</name>
    <message>
        <source>Nœud</source>
        <translation>Node</translation>
    </message>
    <message>
        <source>État</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Signe de vie</source>
        <translation>Heartbeat</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>vide</source>
        <translation>empty</translation>
    </message>
    <message>
        <source>connexion</source>
        <translation>connecting</translation>
    </message>
    <message>
        <source>en lecture</source>
        <translation>playing</translation>
    </message>
    <message>
        <source>perdue</source>
        <translation>lost</translation>
    </message>
    <message>
        <source>non autorisée</source>
        <translation>not authorised</translation>
    </message>
    <message>
        <source>caméra %1</source>
        <translation>camera %1</translation>
    </message>
    <message>
        <source>caméra %1 (hors périmètre)</source>
        <translation>camera %1 (outside your scope)</translation>
    </message>
    <message>
        <source> · %1 i/s</source>
        <translation> · %1 fps</translation>
    </message>
    <message>
        <source>tuile %1 — %2</source>
        <translation>tile %1 — %2</translation>
    </message>
    <message>
        <source>écran %1</source>
        <translation>screen %1</translation>
    </message>
    <message>
        <source>%1 en lecture</source>
        <translation>%1 playing</translation>
    </message>
    <message>
        <source>, %1 perdue(s)</source>
        <translation>, %1 lost</translation>
    </message>
    <message>
        <source>dernier état connu : %1</source>
        <translation>last known state: %1</translation>
    </message>
    <message>
        <source>inconnu (contrôleur injoignable)</source>
        <translation>unknown (controller unreachable)</translation>
    </message>
    <message>
        <source>en ligne</source>
        <translation>online</translation>
    </message>
    <message>
        <source>hors ligne</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>version %1</translation>
    </message>
    <message>
        <source>jamais</source>
        <translation>never</translation>
    </message>
    <message>
        <source>il y a %1 s</source>
        <translation>%1 s ago</translation>
    </message>
    <message>
        <source>il y a %1 min</source>
        <translation>%1 min ago</translation>
    </message>
    <message>
        <source>il y a %1 h</source>
        <translation>%1 h ago</translation>
    </message>
</context>
<context>
    <name>WallPanel</name>
    <message>
        <source>Mur d'images</source>
        <translation>Video wall</translation>
    </message>
    <message>
        <source>L'écran où s'affichent les caméras en alarme</source>
        <translation>The screen where cameras in alarm are shown</translation>
    </message>
    <message>
        <source>Écran d'alarme :</source>
        <translation>Alarm screen:</translation>
    </message>
    <message>
        <source>Glisser sur un écran du mur ; double-clic : sur l'écran choisi</source>
        <translation>Drag onto a wall screen; double-click: onto the chosen screen</translation>
    </message>
    <message>
        <source>Dispositions</source>
        <translation>Layouts</translation>
    </message>
    <message>
        <source>Vues</source>
        <translation>Views</translation>
    </message>
    <message>
        <source>Préréglages</source>
        <translation>Presets</translation>
    </message>
    <message>
        <source>Séquences</source>
        <translation>Sequences</translation>
    </message>
    <message>
        <source>Nœuds</source>
        <translation>Nodes</translation>
    </message>
    <message>
        <source>Dispositions et vues</source>
        <translation>Layouts and views</translation>
    </message>
    <message>
        <source>Historique</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Panneau du mur d'images</source>
        <translation>Video wall panel</translation>
    </message>
    <message>
        <source>Enregistrer le mur comme préréglage…</source>
        <translation>Save the wall as a preset…</translation>
    </message>
    <message>
        <source>Aucun contrôleur de mur configuré : le panneau se remplira quand ce pupitre en aura un.</source>
        <translation>No wall controller configured: the panel will fill in once this console has one.</translation>
    </message>
    <message>
        <source>Contrôleur : non configuré</source>
        <translation>Controller: not configured</translation>
    </message>
    <message>
        <source>Contrôleur : connecté</source>
        <translation>Controller: connected</translation>
    </message>
    <message>
        <source>Contrôleur : clé de ce pupitre refusée</source>
        <translation>Controller: this console's key refused</translation>
    </message>
    <message>
        <source>Contrôleur : connexion…</source>
        <translation>Controller: connecting…</translation>
    </message>
    <message>
        <source>Contrôleur : injoignable</source>
        <translation>Controller: unreachable</translation>
    </message>
    <message>
        <source>(aucun)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>%1 · écran %2</source>
        <translation>%1 · screen %2</translation>
    </message>
    <message>
        <source>%1 tuiles</source>
        <translation>%1 tiles</translation>
    </message>
    <message>
        <source>Aucun contrôleur de mur configuré.</source>
        <translation>No wall controller configured.</translation>
    </message>
    <message>
        <source>Votre compte « %1 » n'a pas le droit de piloter le mur d'images.</source>
        <translation>Your account “%1” does not have the right to drive the video wall.</translation>
    </message>
    <message>
        <source>Le contrôleur du mur ne connaît pas la clé de ce pupitre : faites-la enregistrer (vmwall wall keys --export ici, --register sur le contrôleur).</source>
        <translation>The wall controller does not know this console's key: have it registered (vmwall wall keys --export here, --register on the controller).</translation>
    </message>
    <message>
        <source>Contrôleur du mur injoignable : commandes suspendues.</source>
        <translation>Wall controller unreachable: commands suspended.</translation>
    </message>
    <message>
        <source>caméra non autorisée pour ce compte ou non visible en direct</source>
        <translation>camera not allowed for this account or not viewable live</translation>
    </message>
    <message>
        <source>écran inconnu du mur</source>
        <translation>screen unknown to the wall</translation>
    </message>
    <message>
        <source>disposition inconnue du contrôleur</source>
        <translation>layout unknown to the controller</translation>
    </message>
    <message>
        <source>préréglage inconnu</source>
        <translation>unknown preset</translation>
    </message>
    <message>
        <source>séquence inconnue</source>
        <translation>unknown sequence</translation>
    </message>
    <message>
        <source>aucun écran d'alarme n'est défini</source>
        <translation>no alarm screen is set</translation>
    </message>
    <message>
        <source>ce nœud n'a encore signalé aucun écran</source>
        <translation>this node has not reported any screen yet</translation>
    </message>
    <message>
        <source>commande invalide</source>
        <translation>invalid command</translation>
    </message>
    <message>
        <source>contrôleur injoignable ou droits invérifiables ; réessayez</source>
        <translation>the controller does not answer or cannot check rights; try again</translation>
    </message>
    <message>
        <source>la liaison avec le contrôleur est fermée</source>
        <translation>the link to the controller is closed</translation>
    </message>
    <message>
        <source>l'envoi n'a pas pu être tracé, il n'est pas appliqué</source>
        <translation>the push could not be recorded, so it was not applied</translation>
    </message>
    <message>
        <source>l'état du mur n'a pas pu être enregistré sur le contrôleur</source>
        <translation>the wall state could not be saved on the controller</translation>
    </message>
    <message>
        <source>Commande « %1 » refusée par le contrôleur du mur : %2</source>
        <translation>Command “%1” refused by the wall controller: %2</translation>
    </message>
    <message>
        <source>ce compte n'a pas le droit de piloter le mur d'images</source>
        <translation>this account does not have the right to drive the video wall</translation>
    </message>
    <message>
        <source>compte inconnu ou désactivé</source>
        <translation>unknown or deactivated account</translation>
    </message>
    <message>
        <source>la clé de ce pupitre n'est pas enregistrée sur le contrôleur</source>
        <translation>this console's key is not registered on the controller</translation>
    </message>
    <message>
        <source>Le contrôleur du mur refuse votre compte : %1</source>
        <translation>The wall controller refuses your account: %1</translation>
    </message>
    <message>
        <source>Le contrôleur du mur refuse votre compte : %1 (%2).</source>
        <translation>The wall controller refuses your account: %1 (%2).</translation>
    </message>
    <message>
        <source>afficher une caméra</source>
        <translation>show a camera</translation>
    </message>
    <message>
        <source>remplir un écran</source>
        <translation>fill a screen</translation>
    </message>
    <message>
        <source>vider un écran</source>
        <translation>clear a screen</translation>
    </message>
    <message>
        <source>appliquer un préréglage</source>
        <translation>apply a preset</translation>
    </message>
    <message>
        <source>enregistrer un préréglage</source>
        <translation>save a preset</translation>
    </message>
    <message>
        <source>supprimer un préréglage</source>
        <translation>delete a preset</translation>
    </message>
    <message>
        <source>enregistrer une séquence</source>
        <translation>save a sequence</translation>
    </message>
    <message>
        <source>supprimer une séquence</source>
        <translation>delete a sequence</translation>
    </message>
    <message>
        <source>démarrer une séquence</source>
        <translation>start a sequence</translation>
    </message>
    <message>
        <source>mettre une séquence en pause</source>
        <translation>pause a sequence</translation>
    </message>
    <message>
        <source>reprendre une séquence</source>
        <translation>resume a sequence</translation>
    </message>
    <message>
        <source>avancer une séquence</source>
        <translation>step a sequence</translation>
    </message>
    <message>
        <source>arrêter une séquence</source>
        <translation>stop a sequence</translation>
    </message>
    <message>
        <source>choisir l'écran d'alarme</source>
        <translation>choose the alarm screen</translation>
    </message>
    <message>
        <source>afficher une alarme</source>
        <translation>show an alarm</translation>
    </message>
    <message>
        <source>Mur : préréglage « %1 » appliqué.</source>
        <translation>Wall: preset “%1” applied.</translation>
    </message>
    <message>
        <source>Mur : préréglage « %1 » enregistré.</source>
        <translation>Wall: preset “%1” saved.</translation>
    </message>
    <message>
        <source>Mur : préréglage « %1 » supprimé.</source>
        <translation>Wall: preset “%1” deleted.</translation>
    </message>
    <message>
        <source>Mur : séquence « %1 » enregistrée.</source>
        <translation>Wall: sequence “%1” saved.</translation>
    </message>
    <message>
        <source>Vue « %1 » : caméra(s) %2 hors de votre périmètre, laissée(s) vides.</source>
        <translation>View “%1”: camera(s) %2 outside your scope, left empty.</translation>
    </message>
    <message>
        <source>Catalogue des caméras pas encore chargé : réessayez dans un instant.</source>
        <translation>Camera catalogue not loaded yet: try again in a moment.</translation>
    </message>
    <message>
        <source>la caméra n'existe pas dans le catalogue</source>
        <translation>the camera is not in the catalogue</translation>
    </message>
    <message>
        <source>sa commune a un forfait stockage seul (jamais en direct)</source>
        <translation>its commune has a storage-only package (never live)</translation>
    </message>
    <message>
        <source>hors des heures de visionnage de sa commune</source>
        <translation>outside its commune's viewing hours</translation>
    </message>
    <message>
        <source>votre compte ne couvre pas sa commune</source>
        <translation>your account does not cover its commune</translation>
    </message>
    <message>
        <source>votre compte n'a pas le droit de visionnage en direct</source>
        <translation>your account does not have the live-view right</translation>
    </message>
    <message>
        <source>Caméra %1 non envoyée au mur : %2.</source>
        <translation>Camera %1 not sent to the wall: %2.</translation>
    </message>
    <message>
        <source>Retirer la caméra %1 de la tuile %2</source>
        <translation>Remove camera %1 from tile %2</translation>
    </message>
    <message>
        <source>Vider l'écran</source>
        <translation>Clear the screen</translation>
    </message>
    <message>
        <source>Ne plus utiliser comme écran d'alarme</source>
        <translation>Stop using as the alarm screen</translation>
    </message>
    <message>
        <source>Utiliser comme écran d'alarme</source>
        <translation>Use as the alarm screen</translation>
    </message>
    <message>
        <source>Disposition</source>
        <translation>Layout</translation>
    </message>
    <message>
        <source>Vue enregistrée</source>
        <translation>Saved view</translation>
    </message>
    <message>
        <source>Choisissez d'abord un écran du mur (clic sur l'écran).</source>
        <translation>Choose a wall screen first (click on the screen).</translation>
    </message>
    <message>
        <source>Appliquer un préréglage</source>
        <translation>Apply a preset</translation>
    </message>
    <message>
        <source>(aucun préréglage)</source>
        <translation>(no preset)</translation>
    </message>
</context>
<context>
    <name>WallPresetsWidget</name>
    <message>
        <source>Double-clic : appliquer le préréglage à tout le mur</source>
        <translation>Double-click: apply the preset to the whole wall</translation>
    </message>
    <message>
        <source>Appliquer</source>
        <translation>Apply</translation>
    </message>
    <message>
        <source>Enregistrer le mur sous…</source>
        <translation>Save the wall as…</translation>
    </message>
    <message>
        <source>Supprimer</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Appliquer le préréglage choisi à tout le mur</source>
        <translation>Apply the chosen preset to the whole wall</translation>
    </message>
    <message>
        <source>Enregistrer ce que montre le mur sous un nom</source>
        <translation>Save what the wall shows under a name</translation>
    </message>
    <message>
        <source>Supprimer le préréglage choisi</source>
        <translation>Delete the chosen preset</translation>
    </message>
    <message>
        <source>enregistré par %1</source>
        <translation>saved by %1</translation>
    </message>
    <message>
        <source>Supprimer le préréglage ?</source>
        <translation>Delete the preset?</translation>
    </message>
    <message>
        <source>Supprimer le préréglage « %1 » pour tous les pupitres ?</source>
        <translation>Delete preset “%1” for every console?</translation>
    </message>
</context>
<context>
    <name>WallSequencesWidget</name>
    <message>
        <source>Nouvelle…</source>
        <translation>New…</translation>
    </message>
    <message>
        <source>Modifier…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>Supprimer</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Démarrer</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Étape suivante</source>
        <translation>Next step</translation>
    </message>
    <message>
        <source>Arrêter</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>■ %1 — arrêtée (%2 étapes)</source>
        <translation>■ %1 — stopped (%2 steps)</translation>
    </message>
    <message>
        <source>en cours</source>
        <translation>running</translation>
    </message>
    <message>
        <source>en pause</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>%1 %2 — %3, étape %4/%5</source>
        <translation>%1 %2 — %3, step %4/%5</translation>
    </message>
    <message>
        <source>caméra %1</source>
        <translation>camera %1</translation>
    </message>
    <message>
        <source>préréglage « %1 »</source>
        <translation>preset “%1”</translation>
    </message>
    <message>
        <source>Reprendre</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Aucune séquence.</source>
        <translation>No sequence.</translation>
    </message>
    <message>
        <source>Cible : %1 · écran %2, tuile %3</source>
        <translation>Target: %1 · screen %2, tile %3</translation>
    </message>
    <message>
        <source>Étape en cours : %1</source>
        <translation>Current step: %1</translation>
    </message>
    <message>
        <source>Supprimer la séquence ?</source>
        <translation>Delete the sequence?</translation>
    </message>
    <message>
        <source>Supprimer la séquence « %1 » pour tous les pupitres ?</source>
        <translation>Delete sequence “%1” for every console?</translation>
    </message>
</context>
<context>
    <name>WallViewWidget</name>
    <message>
        <source>%1 · vide</source>
        <translation>%1 · empty</translation>
    </message>
    <message>
        <source>%1 · non autorisée</source>
        <translation>%1 · not authorised</translation>
    </message>
    <message>
        <source> · %1 i/s</source>
        <translation> · %1 fps</translation>
    </message>
    <message>
        <source> · perdue</source>
        <translation> · lost</translation>
    </message>
    <message>
        <source>Aucun écran : aucun nœud du mur ne s'est encore annoncé au contrôleur.</source>
        <translation>No screen: no wall node has reported to the controller yet.</translation>
    </message>
    <message>
        <source>contrôleur injoignable — dernier état connu</source>
        <translation>controller unreachable — last known state</translation>
    </message>
    <message>
        <source>hors ligne</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>nœud inconnu</source>
        <translation>unknown node</translation>
    </message>
    <message>
        <source>écran vide</source>
        <translation>empty screen</translation>
    </message>
    <message>
        <source>%1 · écran %2</source>
        <translation>%1 · screen %2</translation>
    </message>
    <message>
        <source>ALARME — %1</source>
        <translation>ALARM — %1</translation>
    </message>
</context>
</TS>