"""The content demo data is made of: places, people, activities and what they say."""
from typing import NamedTuple

from ..models.events import JoinMode, Status, Visibility


class Place(NamedTuple):
    name: str
    street: str
    postal_code: str
    latitude: float
    longitude: float


class City(NamedTuple):
    zone: str
    language: str
    locality: str
    region: str
    country: str
    places: tuple


CITIES = {
    "paris": City("Europe/Paris", "fr", "Paris", "Île-de-France", "France", (
        Place("La Recyclerie", "83 boulevard Ornano", "75018", 48.8973, 2.3448),
        Place("Maison des associations du 11e", "8 rue du Général Renault", "75011", 48.8637, 2.3792),
        Place("Parc de Belleville", "47 rue des Couronnes", "75020", 48.8716, 2.3847),
    )),
    "lyon": City("Europe/Paris", "fr", "Lyon", "Auvergne-Rhône-Alpes", "France", (
        Place("Maison pour tous des Rancy", "249 rue Vendôme", "69003", 45.7575, 4.8458),
        Place("Place des Terreaux", "", "69001", 45.7674, 4.8338),
    )),
    "nantes": City("Europe/Paris", "fr", "Nantes", "Pays de la Loire", "France", (
        Place("Le Solilab", "8 rue Saint-Domingue", "44200", 47.2056, -1.5622),
        Place("Île de Versailles", "Quai de Versailles", "44000", 47.2245, -1.5545),
    )),
    "brussels": City("Europe/Brussels", "fr", "Ixelles", "Bruxelles-Capitale", "Belgique", (
        Place("Maison de quartier Malibran", "Rue de la Digue 10", "1050", 50.8310, 4.3735),
        Place("Étangs d'Ixelles", "Place Flagey", "1050", 50.8275, 4.3720),
    )),
    "montreal": City("America/Montreal", "fr", "Montréal", "Québec", "Canada", (
        Place("Bibliothèque du Mile End", "5434 avenue du Parc", "H2V 4G7", 45.5225, -73.5975),
        Place("Parc La Fontaine", "3933 avenue du Parc-La Fontaine", "H2L 3M6", 45.5270, -73.5700),
    )),
    "dakar": City("Africa/Dakar", "fr", "Dakar", "Dakar", "Sénégal", (
        Place("Centre culturel Blaise Senghor", "Boulevard Dial Diop", "", 14.6937, -17.4550),
        Place("Plage de Yoff", "Route de Yoff", "", 14.7571, -17.4700),
    )),
    "tokyo": City("Asia/Tokyo", "en", "Tokyo", "Tokyo", "Japan", (
        Place("Kitazawa Community Hall", "2-8-18 Kitazawa, Setagaya", "155-0031", 35.6618, 139.6680),
        Place("Yoyogi Park", "2-1 Yoyogikamizonocho, Shibuya", "151-0052", 35.6717, 139.6949),
    )),
    "auckland": City("Pacific/Auckland", "en", "Auckland", "Auckland", "New Zealand", (
        Place("Grey Lynn Community Centre", "510 Richmond Road, Grey Lynn", "1021", -36.8626, 174.7380),
        Place("Western Springs Park", "Great North Road", "1022", -36.8640, 174.7247),
    )),
    "wellington": City("Pacific/Auckland", "en", "Wellington", "Wellington", "New Zealand", (
        Place("Newtown Community Centre", "Corner of Colombo and Rintoul Streets", "6021",
              -41.3120, 174.7790),
    )),
}

# (email local part, locale, identities as (username, display name, home city, bio)).
ACCOUNTS = (
    ("camille", "fr", (
        ("camille", "Camille Martin", "paris", "Bénévole au repair café, choriste le mardi."),
        ("repair_cafe_paris11", "Repair Café Paris 11", "paris",
         "On répare ensemble au lieu de jeter. **Entrée libre**, un samedi sur deux."),
    )),
    ("mamadou", "fr", (
        ("mamadou", "Mamadou Diallo", "dakar", "Mécanicien vélo et militant des mobilités douces."),
        ("velo_solidaire_dakar", "Vélo Solidaire Dakar", "dakar",
         "Atelier participatif : apprenez à entretenir votre vélo."),
    )),
    ("elodie", "fr", (
        ("elodie_tremblay", "Élodie Tremblay", "montreal", "Cheffe de chœur amateur."),
        ("chorale_mile_end", "Chorale du Mile End", "montreal",
         "Chorale de quartier, tous niveaux, sans audition."),
    )),
    ("aroha", "en", (
        ("aroha", "Aroha Ngata", "auckland", "Gardener, knitter, occasional DJ."),
        ("grey_lynn_gardeners", "Grey Lynn Gardeners", "auckland",
         "A community garden run by neighbours. Everyone welcome, no experience needed."),
    )),
    ("hana", "en", (
        ("hana", "Hana Sato", "tokyo", "Board games, bikes and bad puns."),
        ("tokyo_board_gamers", "Tokyo Board Gamers", "tokyo",
         "Monthly board game nights in Setagaya. English and Japanese spoken."),
    )),
    ("lucas", "fr", (("lucas_b", "Lucas Bernard", "lyon", "Libriste, install parties et cafés vie privée."),)),
    ("ines", "fr", (("ines", "Inès Moreau", "nantes", "Marches pour le climat et nettoyage des berges."),)),
    ("tom", "en", (("tom_w", "Tom Walker", "wellington", "Folk dancer and book club host."),)),
    ("sofia", "fr", (("sofia", "Sofia Peeters", "brussels", "Café des langues tous les jeudis."),)),
    ("noah", "fr", (("noah", "Noah Gagnon", "montreal", "Ciné-débats et assemblées de quartier."),)),
    ("awa", "fr", (("awa_ndiaye", "Awa Ndiaye", "dakar", "Nettoyage de plages et jardins partagés."),)),
    ("yuki", "en", (("yuki", "Yuki Tanaka", "tokyo", "Language exchange organiser."),)),
)


class Activity(NamedTuple):
    category: str
    title_fr: str
    title_en: str
    tags_fr: str
    tags_en: str
    about_fr: str
    about_en: str
    online: bool  # can plausibly happen on a video call
    crowd: bool  # open-air gatherings have no seat limit


ACTIVITIES = (
    Activity("COMMUNITY", "Repair café", "Repair café", "réparation, zéro déchet", "repair, zero waste",
             "Un grille-pain qui ne grille plus ? Un pantalon troué ? Des bénévoles vous aident à "
             "**réparer vous-même** vos objets du quotidien.",
             "A toaster that stopped toasting? Torn trousers? Volunteers help you **fix your own** "
             "everyday things.", False, False),
    Activity("MUSIC", "Répétition de la chorale", "Choir rehearsal", "chant, chorale", "singing, choir",
             "Répétition ouverte : on travaille le programme du concert de fin d'année. "
             "Pas besoin de lire la musique.",
             "Open rehearsal for the end-of-year concert. No need to read music.", False, False),
    Activity("MOVEMENTS_POLITICS", "Marche pour le climat", "Climate march", "climat, manifestation",
             "climate, march",
             "Marchons ensemble pour une vraie politique climatique. Venez avec pancartes et bonne humeur.",
             "Let's march together for real climate action. Bring signs and good spirits.", False, True),
    Activity("CRAFTS", "Atelier d'autoréparation de vélos", "Bike repair workshop", "vélo, atelier",
             "bikes, workshop",
             "Outils, pièces d'occasion et conseils : apprenez à régler vos freins et changer une chambre à air.",
             "Tools, second-hand parts and advice: learn to adjust your brakes and fix a flat.", False, False),
    Activity("GAMES", "Soirée jeux de société", "Board game night", "jeux", "board games",
             "Jeux coopératifs, jeux d'ambiance et grands classiques. Apportez vos jeux préférés !",
             "Co-op games, party games and the classics. Bring your favourites!", True, False),
    Activity("BOOK_CLUBS", "Club de lecture", "Book club", "lecture, livres", "books, reading",
             "On discute du livre du mois autour d'un thé. Lu ou pas lu, venez quand même.",
             "We talk about this month's book over tea. Finished it or not, come along.", True, False),
    Activity("OUTDOORS_ADVENTURE", "Ramassage de déchets", "Beach clean-up", "environnement, nettoyage",
             "environment, clean-up",
             "Gants et sacs fournis. On trie ensuite ce qui a été ramassé.",
             "Gloves and bags provided. We sort what we collected afterwards.", False, True),
    Activity("SCIENCE_TECH", "Install party logiciels libres", "Free software install party",
             "logiciel libre, linux", "free software, linux",
             "Venez avec votre ordinateur : on vous aide à installer un système libre.",
             "Bring your computer: we help you install a free operating system.", True, False),
    Activity("LANGUAGE_CULTURE", "Café des langues", "Language exchange café", "langues, rencontre",
             "languages, meetup",
             "Une table par langue, on change toutes les vingt minutes. Tous niveaux bienvenus.",
             "One table per language, we switch every twenty minutes. All levels welcome.", True, False),
    Activity("PARTY", "Bal folk", "Folk dance night", "danse, folk", "dance, folk",
             "Initiation aux danses à 19 h, puis bal avec musiciens en live.",
             "Beginners' lesson at 7 pm, then a live band.", False, False),
    Activity("COMMUNITY", "Assemblée générale de l'association", "Neighbourhood association meeting",
             "association, quartier", "neighbourhood, meeting",
             "Bilan de l'année, projets à venir et élection du bureau. Ordre du jour sur le pad.",
             "Annual report, coming projects and board election. Agenda on the pad.", True, False),
    Activity("FILM_MEDIA", "Ciné-débat", "Documentary screening and talk", "cinéma, débat",
             "film, discussion",
             "Projection d'un documentaire suivie d'un échange avec l'équipe du film.",
             "A documentary screening followed by a Q&A with the crew.", False, False),
    Activity("OUTDOORS_ADVENTURE", "Chantier au jardin partagé", "Community garden work day",
             "jardin, permaculture", "garden, permaculture",
             "Désherbage, semis et compost. Prévoyez des vêtements qui ne craignent rien.",
             "Weeding, sowing and compost. Wear clothes you don't mind getting dirty.", False, False),
    Activity("LEARNING", "Atelier : s'organiser sans Facebook", "Workshop: organising without Facebook",
             "vie privée, fediverse", "privacy, fediverse",
             "Tour d'horizon des outils libres pour organiser un collectif : agenda, pad, messagerie.",
             "A tour of free tools to run a group: calendar, pads, chat.", True, False),
)

EXTRAS_FR = (
    "**À apporter :**\n\n- de quoi grignoter à partager\n- une gourde\n- votre bonne humeur",
    "Entrée libre, participation aux frais à prix libre.",
    "Le lieu est accessible en fauteuil roulant. Écrivez-nous pour tout besoin particulier.",
    "Plus d'infos sur [notre site](https://asso.example.org/agenda).",
    "Les enfants sont les bienvenus, accompagnés d'un adulte.",
)
EXTRAS_EN = (
    "**What to bring:**\n\n- some food to share\n- a water bottle\n- a smile",
    "Free entry, donations welcome.",
    "The venue is wheelchair accessible. Tell us if you need anything else.",
    "More on [our website](https://club.example.org/events).",
    "Children welcome with an adult.",
)
COMMENTS_FR = (
    "J'ai hâte !", "Est-ce qu'il faut s'inscrire à l'avance ?",
    "Je viendrai avec ma vieille cafetière 😄", "Merci pour l'organisation !",
    "Quelqu'un part de la gare ? On pourrait y aller ensemble.",
    "Super idée, je ramène des amis.", "C'est accessible en poussette ?",
    "La dernière fois était **géniale**, merci à toute l'équipe.",
)
COMMENTS_EN = (
    "Looking forward to it!", "Do we need to sign up in advance?", "Can I bring my kids?",
    "Thanks for organising!", "I'll bring snacks.", "Is there bike parking nearby?",
    "Last time was **great**, thanks everyone.", "Anyone coming from the station? Happy to walk together.",
)
REPLIES_FR = ("Oui, tout à fait !", "Bonne question : non, venez simplement.", "Merci, à bientôt !")
REPLIES_EN = ("Yes, of course!", "Good question: no, just turn up.", "Thanks, see you there!")

CAPACITIES = (None, None, None, None, 10, 10, 30, 30, 30, 100)
# Most events draw a handful of people, a few draw a crowd (and fill their seats).
PARTICIPANT_COUNTS = (1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 11, 14)
# Share of events of each rare kind; the rest get the default value.
STATUS_SHARES = {Status.CANCELLED: 0.05, Status.TENTATIVE: 0.05}
VISIBILITY_SHARES = {Visibility.UNLISTED: 0.06, Visibility.PRIVATE: 0.04}
JOIN_SHARES = {JoinMode.RESTRICTED: 0.08, JoinMode.EXTERNAL: 0.03, JoinMode.INVITE: 0.02}
ONLINE_SHARE = 0.10
COMMENTS_CLOSED_SHARE = 0.05
PARTICIPANTS_SHARE = 0.45
COMMENTED_SHARE = 0.30


class GroupSpec(NamedTuple):
    """A demo group: who it is, how people join it, and what its members share."""
    username: str
    name: str
    city: str
    openness: str
    visibility: str
    summary: str
    activities: tuple  # titles (in ACTIVITIES) of the events it organises
    posts: tuple  # (title, Markdown body, visibility: "public" or "members")
    discussion: tuple  # (title, messages)
    resources: tuple  # (folder title, ((link title, url, description), …))
    todos: tuple  # (list title, task titles)


GROUPS = (
    GroupSpec(
        "atelier_velo_belleville", "Atelier vélo de Belleville", "paris", "open", "public",
        "Un atelier **participatif** : on apprend à réparer son vélo ensemble, outils et pièces d'occasion "
        "sur place. Tout le monde peut rejoindre le groupe.",
        ("Atelier d'autoréparation de vélos", "Repair café"),
        (("Nouveaux horaires d'ouverture", "L'atelier ouvre désormais **le mercredi soir** de 18 h à 21 h.",
          "public"),
         ("Bilan de la bourse aux vélos", "Quarante vélos ont trouvé preneur. Merci à toutes et à tous !", "public"),
         ("Clés du local", "Le code du cadenas change lundi : demandez-le sur la discussion.", "members")),
        ("Organisation de la bourse aux vélos", (
            "Qui peut tenir la caisse samedi matin ?", "Moi, jusqu'à midi.", "Je prends le relais l'après-midi.")),
        ("Documents de l'atelier", (
            ("Pad des permanences", "https://pad.example.org/p/atelier-velo", "Qui ouvre l'atelier, quand."),
            ("Dossier partagé", "https://cloud.example.org/s/atelier-velo", "Photos et factures."),
            ("Visio du bureau", "https://meet.example.org/atelier-velo-bureau", ""))),
        ("Préparer la bourse aux vélos", ("Imprimer les affiches", "Réserver la place", "Trouver des bénévoles")),
    ),
    GroupSpec(
        "jardin_des_pentes", "Jardin partagé des Pentes", "lyon", "moderated", "public",
        "Un jardin partagé sur les pentes de la Croix-Rousse. Les demandes d'adhésion sont validées par "
        "le bureau.",
        ("Ramassage de déchets", "Assemblée générale de l'association"),
        (("Les semis de printemps", "Tomates, courges et haricots : rendez-vous samedi pour les semis.",
          "public"),
         ("Compte rendu de l'assemblée", "Le bureau est réélu ; le budget des semences augmente.", "members")),
        ("Arrosage pendant les vacances", (
            "Qui est là en août ?", "Moi les deux premières semaines.", "Je peux faire la fin du mois.")),
        ("Ressources du jardin", (
            ("Planning d'arrosage", "https://calc.example.org/jardin-arrosage", "Un créneau par personne."),
            ("Charte du jardin", "https://pad.example.org/p/charte-jardin", ""))),
        ("Travaux d'automne", ("Tailler les haies", "Commander le compost", "Réparer le récupérateur d'eau")),
    ),
    GroupSpec(
        "tokyo_hiking_circle", "Tokyo Hiking Circle", "tokyo", "invite_only", "unlisted",
        "Small weekend hikes around Tokyo. Members invite friends they have hiked with.",
        ("Beach clean-up", "Board game night"),
        (("Autumn trails are open", "The Mount Takao trails reopened after the typhoon season.", "public"),
         ("Carpool list", "Drivers, please add your seats to the shared sheet.", "members")),
        ("Next hike: Mount Mitake?", (
            "Who is up for Mitake next month?", "Count me in!", "Only if we take the cable car down.")),
        ("Hiking kit", (
            ("Trail maps", "https://maps.example.org/tokyo-hikes", "Our favourite routes."),
            ("Carpool sheet", "https://calc.example.org/tokyo-carpool", ""))),
        ("Before the next hike", ("Check the weather", "Book the onsen", "Share the meeting point")),
    ),
)
