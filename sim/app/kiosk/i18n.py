"""The booth's words in English, German and French: screen texts and the attract-loop captions.

The playlist's ``language`` picks the table. Captions for plan steps are generated here from
the action (an instructor's caption in the playlist replaces the generated one); the procedure
screen's own panel stays English. No pygame here: the tables are tested headless.
"""

from __future__ import annotations

from sim.action_text import describe

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "press_to_play": "Press any key or click to play",
        "expert_demo": "Expert demo · case {i} of {n}",
        "try_it": "Your turn: {m} minutes. Can you beat the expert?",
        "expert_result": "Expert result: {score} / 100. Can you beat it?",
        "teaching_tool": "A teaching tool, not a clinical planning device.",
        "choose_title": "Choose your case",
        "choose_hint": "← → or 1–{n} to choose · Enter or click to start",
        "best": "Best: {who} {score}",
        "no_best": "No score yet: be the first!",
        "difficulty": "Difficulty {d} / 5",
        "expert": "EXPERT",
        "howto_title": "How to play",
        "howto_steer": "Steer: click a vessel, or ↑ ↓ to advance and pull back, ← → for the branch",
        "howto_inject": "Hold SPACE to inject the microspheres",
        "howto_stop": "Watch the flow slow down: stop before it flows backwards (reflux)",
        "howto_keys": "C: contrast run  ·  F: finish when you are done",
        "howto_goal": "Goal: treat the tumour, spare the healthy liver, nothing off target",
        "howto_start": "Starting in {s} s · Enter: start now",
        "time_left": "time left",
        "game_hint": "SPACE (hold): inject · click a vessel: steer · C: contrast · F: finish",
        "time_up": "Time is up!",
        "injecting": "INJECTING",
        "reflux": "REFLUX!",
        "your_score": "Your score",
        "tumor_treated": "Tumour treated",
        "liver_hurt": "Healthy liver injured",
        "off_target": "Off target",
        "none": "none",
        "to_initials": "Press any key to enter your initials",
        "tagline": "Liver tumour embolization trainer",
        "best_scores": "Best scores",
        "initials_title": "Your initials for the leaderboard",
        "initials_hint": "Type letters, or ↑ ↓ to change and ← → to move · Enter: save",
        "score_on": "{score} points · {case}",
        "overall": "Overall",
        "board_empty": "No games yet: be the first!",
        "hold_exit": "Instructor: keep holding Ctrl+Shift+Q to leave kiosk mode",
        "hold_reset": "Instructor: keep holding Ctrl+Shift+R to reset the leaderboard",
        "confirm_reset": "Reset the leaderboard? The records are kept.",
        "confirm_keys": "Y: reset  ·  any other key: cancel",
        "reset_done": "The leaderboard was reset.",
    },
    "de": {
        "press_to_play": "Taste drücken oder klicken zum Spielen",
        "expert_demo": "Demo vom Experten · Fall {i} von {n}",
        "try_it": "Jetzt Sie: {m} Minuten. Schlagen Sie den Experten?",
        "expert_result": "Ergebnis des Experten: {score} / 100. Schaffen Sie mehr?",
        "teaching_tool": "Ein Lehrmittel, kein Werkzeug zur klinischen Planung.",
        "choose_title": "Wählen Sie Ihren Fall",
        "choose_hint": "← → oder 1–{n}: wählen · Enter oder Klick: starten",
        "best": "Bestwert: {who} {score}",
        "no_best": "Noch kein Ergebnis: seien Sie die Ersten!",
        "difficulty": "Schwierigkeit {d} / 5",
        "expert": "EXPERTE",
        "howto_title": "So wird gespielt",
        "howto_steer": "Steuern: Gefäß anklicken, oder ↑ ↓ vor und zurück, ← → für den Abzweig",
        "howto_inject": "LEERTASTE halten: Mikrosphären injizieren",
        "howto_stop": "Der Fluss wird langsamer: aufhören, bevor er zurückfließt (Reflux)",
        "howto_keys": "C: Kontrastmittel  ·  F: fertig",
        "howto_goal": "Ziel: Tumor behandeln, gesunde Leber schonen, nichts daneben",
        "howto_start": "Start in {s} s · Enter: sofort starten",
        "time_left": "Restzeit",
        "game_hint": "LEERTASTE (halten): injizieren · Gefäß anklicken: steuern · C · F: fertig",
        "time_up": "Die Zeit ist um!",
        "injecting": "INJEKTION",
        "reflux": "REFLUX!",
        "your_score": "Ihr Ergebnis",
        "tumor_treated": "Tumor behandelt",
        "liver_hurt": "Gesunde Leber geschädigt",
        "off_target": "Daneben",
        "none": "nichts",
        "to_initials": "Taste drücken: Initialen eingeben",
        "tagline": "Trainer für die Embolisation von Lebertumoren",
        "best_scores": "Bestenliste",
        "initials_title": "Ihre Initialen für die Bestenliste",
        "initials_hint": "Buchstaben tippen, oder ↑ ↓ ändern und ← → wechseln · Enter: speichern",
        "score_on": "{score} Punkte · {case}",
        "overall": "Gesamt",
        "board_empty": "Noch keine Spiele: seien Sie die Ersten!",
        "hold_exit": "Kursleitung: Strg+Umschalt+Q gedrückt halten, um den Kioskmodus zu beenden",
        "hold_reset": "Kursleitung: Strg+Umschalt+R gedrückt halten, um die Liste zurückzusetzen",
        "confirm_reset": "Bestenliste zurücksetzen? Die Aufzeichnungen bleiben erhalten.",
        "confirm_keys": "Y: zurücksetzen  ·  andere Taste: abbrechen",
        "reset_done": "Die Bestenliste wurde zurückgesetzt.",
    },
    "fr": {
        "press_to_play": "Appuyez sur une touche ou cliquez pour jouer",
        "expert_demo": "Démonstration de l'expert · cas {i} sur {n}",
        "try_it": "À vous : {m} minutes. Ferez-vous mieux que l'expert ?",
        "expert_result": "Résultat de l'expert : {score} / 100. Ferez-vous mieux ?",
        "teaching_tool": "Un outil pédagogique, pas un outil de planification clinique.",
        "choose_title": "Choisissez votre cas",
        "choose_hint": "← → ou 1–{n} : choisir · Entrée ou clic : commencer",
        "best": "Record : {who} {score}",
        "no_best": "Pas encore de score : soyez le premier !",
        "difficulty": "Difficulté {d} / 5",
        "expert": "EXPERT",
        "howto_title": "Comment jouer",
        "howto_steer": "Guider : cliquez un vaisseau, ou ↑ ↓ avancer et reculer, ← → la branche",
        "howto_inject": "Maintenez ESPACE pour injecter les microsphères",
        "howto_stop": "Le flux ralentit : arrêtez avant qu'il ne reflue (reflux)",
        "howto_keys": "C : injection de contraste  ·  F : terminer",
        "howto_goal": "But : traiter la tumeur, épargner le foie sain, rien à côté",
        "howto_start": "Début dans {s} s · Entrée : commencer tout de suite",
        "time_left": "temps restant",
        "game_hint": "ESPACE (maintenir) : injecter · clic : guider · C : contraste · F : terminer",
        "time_up": "Temps écoulé !",
        "injecting": "INJECTION",
        "reflux": "REFLUX !",
        "your_score": "Votre score",
        "tumor_treated": "Tumeur traitée",
        "liver_hurt": "Foie sain atteint",
        "off_target": "Hors cible",
        "none": "rien",
        "to_initials": "Appuyez sur une touche : vos initiales",
        "tagline": "Simulateur d'embolisation des tumeurs du foie",
        "best_scores": "Meilleurs scores",
        "initials_title": "Vos initiales pour le classement",
        "initials_hint": "Tapez les lettres, ou ↑ ↓ changer et ← → déplacer · Entrée : valider",
        "score_on": "{score} points · {case}",
        "overall": "Général",
        "board_empty": "Pas encore de partie : soyez le premier !",
        "hold_exit": "Animateur : maintenez Ctrl+Maj+Q pour quitter le mode kiosque",
        "hold_reset": "Animateur : maintenez Ctrl+Maj+R pour remettre le classement à zéro",
        "confirm_reset": "Remettre le classement à zéro ? Les enregistrements sont conservés.",
        "confirm_keys": "Y : remettre à zéro  ·  autre touche : annuler",
        "reset_done": "Le classement a été remis à zéro.",
    },
}

_VESSEL_EN = {
    "coeliac": "coeliac trunk",
    "splenic": "splenic artery",
    "LGA": "left gastric artery",
    "CHA": "common hepatic artery",
    "GDA": "gastroduodenal artery",
    "PHA": "proper hepatic artery",
    "RHA": "right hepatic artery",
    "LHA": "left hepatic artery",
    "RGA": "right gastric artery",
    "cystic": "cystic artery",
    "falciform": "falciform artery",
    "SMA": "superior mesenteric artery",
    "IPA": "inferior phrenic artery",
    "RA": "right anterior sectoral artery",
    "RP": "right posterior sectoral artery",
    "aLHA": "accessory left hepatic artery",
    "aRHA": "accessory right hepatic artery",
    "S1L": "caudate artery",
}
_VESSEL_DE = {
    "coeliac": "Truncus coeliacus",
    "splenic": "A. lienalis",
    "LGA": "A. gastrica sinistra",
    "CHA": "A. hepatica communis",
    "GDA": "A. gastroduodenalis",
    "PHA": "A. hepatica propria",
    "RHA": "rechte Leberarterie",
    "LHA": "linke Leberarterie",
    "RGA": "A. gastrica dextra",
    "cystic": "A. cystica",
    "falciform": "A. falciformis",
    "SMA": "A. mesenterica superior",
    "IPA": "A. phrenica inferior",
    "RA": "rechts-anteriore Sektorarterie",
    "RP": "rechts-posteriore Sektorarterie",
    "aLHA": "akzessorische linke Leberarterie",
    "aRHA": "akzessorische rechte Leberarterie",
    "S1L": "Arterie des Lobus caudatus",
}
_VESSEL_FR = {
    "coeliac": "tronc cœliaque",
    "splenic": "artère splénique",
    "LGA": "artère gastrique gauche",
    "CHA": "artère hépatique commune",
    "GDA": "artère gastroduodénale",
    "PHA": "artère hépatique propre",
    "RHA": "artère hépatique droite",
    "LHA": "artère hépatique gauche",
    "RGA": "artère gastrique droite",
    "cystic": "artère cystique",
    "falciform": "artère falciforme",
    "SMA": "artère mésentérique supérieure",
    "IPA": "artère phrénique inférieure",
    "RA": "artère sectorielle antérieure droite",
    "RP": "artère sectorielle postérieure droite",
    "aLHA": "artère hépatique gauche accessoire",
    "aRHA": "artère hépatique droite accessoire",
    "S1L": "artère du lobe caudé",
}
VESSELS = {"en": _VESSEL_EN, "de": _VESSEL_DE, "fr": _VESSEL_FR}
SEGMENT_ARTERY = {
    "en": "segment {n} artery",
    "de": "Segment-{n}-Arterie",
    "fr": "artère du segment {n}",
}

AGENT_NAMES = {
    "en": {
        "bland": "bland microspheres",
        "pva": "PVA particles",
        "deb": "drug-eluting beads",
        "lipiodol": "lipiodol emulsion",
        "y90_resin": "Y-90 resin microspheres",
        "y90_glass": "Y-90 glass microspheres",
        "maa": "Tc-99m MAA (mapping)",
    },
    "de": {
        "bland": "blande Mikrosphären",
        "pva": "PVA-Partikel",
        "deb": "medikamentenbeladene Mikrosphären (DEB)",
        "lipiodol": "Lipiodol-Emulsion",
        "y90_resin": "Y-90-Harzmikrosphären",
        "y90_glass": "Y-90-Glasmikrosphären",
        "maa": "Tc-99m-MAA (Mapping)",
    },
    "fr": {
        "bland": "microsphères non chargées",
        "pva": "particules de PVA",
        "deb": "microsphères chargées (DEB)",
        "lipiodol": "émulsion de lipiodol",
        "y90_resin": "microsphères de résine Y-90",
        "y90_glass": "microsphères de verre Y-90",
        "maa": "MAA marqué au Tc-99m (cartographie)",
    },
}

CAPTIONS = {  # wordings for sim.action_text.describe: same keys and placeholders in each language
    "en": {
        "navigate_feeder": "Advance the microcatheter into the artery feeding tumour {tumor}",
        "navigate": "Advance the microcatheter into the {vessel}",
        "select_agent": "Prepare {agent}{size}{activity}",
        "size": ", {lo}–{hi} µm",
        "activity": ", {activity_gbq} GBq",
        "inject": "Inject {volume} mL slowly, {rate} mL/min: watch the flow",
        "contrast": "Contrast run: look for the tumour blush, and for any reflux",
        "wait": "Wait {seconds} s: let the flow settle",
        "finish": "Finish: the debrief scores the result",
    },
    "de": {
        "navigate_feeder": "Mikrokatheter in die Arterie vorschieben, die Tumor {tumor} versorgt",
        "navigate": "Mikrokatheter vorschieben: {vessel}",
        "select_agent": "Vorbereiten: {agent}{size}{activity}",
        "size": ", {lo}–{hi} µm",
        "activity": ", {activity_gbq} GBq",
        "inject": "{volume} mL langsam injizieren, {rate} mL/min: den Fluss beobachten",
        "contrast": "Kontrastmittel: Tumor-Blush suchen, und jeden Reflux",
        "wait": "{seconds} s warten: der Fluss beruhigt sich",
        "finish": "Fertig: die Nachbesprechung bewertet das Ergebnis",
    },
    "fr": {
        "navigate_feeder": "Avancer le microcathéter dans l'artère qui nourrit la tumeur {tumor}",
        "navigate": "Avancer le microcathéter : {vessel}",
        "select_agent": "Préparer : {agent}{size}{activity}",
        "size": ", {lo}–{hi} µm",
        "activity": ", {activity_gbq} GBq",
        "inject": "Injecter {volume} mL lentement, {rate} mL/min : surveiller le flux",
        "contrast": "Contraste : chercher le blush tumoral, et tout reflux",
        "wait": "Attendre {seconds} s : le flux se stabilise",
        "finish": "Terminer : le débriefing note le résultat",
    },
}


def t(lang: str, key: str, **values) -> str:
    """Screen text ``key`` in ``lang`` (English if the language lacks it), formatted."""
    table = TEXT.get(lang, TEXT["en"])
    return table.get(key, TEXT["en"][key]).format(**values)


def num(x: float, lang: str) -> str:
    """A compact number with the language's decimal mark (``2.5`` / ``2,5``)."""
    s = f"{x:g}"
    return s.replace(".", ",") if lang in ("de", "fr") else s


def vessel_name(name: str, lang: str) -> str:
    """A vessel's readable name (``RHA`` → "right hepatic artery"); unknown names as given."""
    if name in VESSELS.get(lang, _VESSEL_EN):
        return VESSELS[lang][name]
    if len(name) == 2 and name[0] == "S" and name[1].isdigit():
        return SEGMENT_ARTERY.get(lang, SEGMENT_ARTERY["en"]).format(n=name[1])
    return name


def caption(action, lang: str = "en") -> str:
    """What an expert says while doing ``action`` (a plan step), in ``lang``.

    The numbers and defaults come from :func:`sim.action_text.describe`; only the words are
    translated here.
    """
    names = AGENT_NAMES.get(lang, AGENT_NAMES["en"])
    return describe(
        action,
        CAPTIONS.get(lang, CAPTIONS["en"]),
        num=lambda x: num(x, lang),
        agent_name=lambda a: names.get(a, a),
        vessel_name=lambda v: vessel_name(v, lang),
    )
