"""Event editions used by several tests: a Venice-like festival and an Oscars-like award show."""

from tests.support.pages import Award, Category, Film, Nom, Person

F1 = Film("tt14444726", "The Room Next Door", 2024, original_title="La habitación de al lado")
F2 = Film("tt28607951", "Vermiglio", 2024)
F3 = Film("tt27403986", "The Brutalist", 2024)
F4 = Film("tt21823606", "Babygirl", 2024)
F5 = Film("tt29268110", "April", 2024)
ALMODOVAR = Person("nm0000264", "Pedro Almodóvar")
CORBET = Person("nm1124331", "Brady Corbet")
KIDMAN = Person("nm0000173", "Nicole Kidman")
MORETTI = Person("nm0603412", "Vincent Lindon")


def venice_awards():
    """Festival: several award blocks, null categories, a person-only honour, the same category name
    ("Best Film") under two awards."""
    return [
        Award("Golden Lion", [Category(None, [Nom(won=True, titles=[F1], secondary_names=[ALMODOVAR])])]),
        Award("Silver Lion", [
            Category("Grand Jury Prize", [Nom(won=True, titles=[F2])]),
            Category("Best Director", [Nom(won=True, names=[CORBET], secondary_titles=[F3])]),
        ]),
        Award("Volpi Cup", [
            Category("Best Actress", [Nom(won=True, names=[KIDMAN], secondary_titles=[F4])]),
            Category("Best Actor", [Nom(won=True, names=[MORETTI], secondary_titles=[F5])]),
        ]),
        Award("Golden Lion for Lifetime Achievement", [Category(None, [Nom(won=True, names=[Person("nm0000641", "Sigourney Weaver")])])]),
        Award("Orizzonti Award", [Category("Best Film", [Nom(won=True, titles=[F5]), Nom(won=False, titles=[F2], notes="Special mention")])]),
        Award("Lion of the Future", [Category("Best Film", [Nom(won=True, titles=[F2])])]),
    ]
# Expected from venice_awards(): nominations 9, film items 8 + 1 person-only = 9 items, winners 8,
# films 5 distinct, categories 8 distinct (award, category) pairs.
VENICE_NOMINATIONS = 9
VENICE_WINNERS = 8
VENICE_FILMS = 5
VENICE_CATEGORIES = 8
