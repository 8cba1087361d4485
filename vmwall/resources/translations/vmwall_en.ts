<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="fr">
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
        <source>Pas d&apos;image en direct dans cette tuile.</source>
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
        <source>La vue « %1 » n&apos;existe pas (ni pour vous, ni partagée).</source>
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
        <source>vmwall %1 — console d&apos;exploitation pour centres de supervision urbaine.
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
        <source>Disposition %1</source>
        <translation>Layout %1</translation>
    </message>
    <message>
        <source>Raccourcis clavier</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Pavé : tapez un numéro de caméra puis Entrée pour l&apos;appeler dans la tuile sélectionnée ; un numéro de tuile puis * pour la sélectionner. Les raccourcis se changent dans la section « shortcuts » de %1.</source>
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
        <source>libVLC n&apos;est pas installé sur ce poste (vmwall doctor).</source>
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
        <source>le flux s&apos;est arrêté</source>
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
        <source>plus d&apos;image depuis %1 s</source>
        <translation>no picture for %1 s</translation>
    </message>
    <message>
        <source>La caméra %1 n&apos;existe pas dans le catalogue.</source>
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
        <source>Votre compte ne couvre pas la commune %1.</source>
        <translation>Your account does not cover %1.</translation>
    </message>
    <message>
        <source>Votre compte n&apos;a pas le droit de visionnage en direct.</source>
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
        <source>Le pilotage PTZ n&apos;est pas encore disponible dans cette version de la console.</source>
        <translation>PTZ control is not available yet in this version of the console.</translation>
    </message>
</context>
</TS>
