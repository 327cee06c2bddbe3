"""The colours of every chart: one per weapon class, from the Okabe-Ito palette (told apart
with the common colour-vision deficiencies). Grey and black for the classes that are no
weapon. Kept here, outside the web package, so that static charts can use them too."""

CLASS_COLORS = {"strike_drone": "#D55E00", "tactical_uav": "#E69F00", "cruise": "#0072B2",
                "ballistic": "#CC79A7", "aeroballistic": "#56B4E9", "antiship": "#009E73",
                "guided_bomb": "#F0E442", "unknown": "#999999", "mixed": "#000000"}
# Series that are no weapon class (outcomes, triggers, fits): the same palette's colours in
# an order that starts away from the most common class (strike drones, vermillion).
SERIES_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#4d4d4d")
SOURCE = ("Data: Air Force of the Armed Forces of Ukraine, via Kaggle (piterfm); "
          "strikescope")


def class_color(name: str) -> str | None:
    """The colour of a class named as in the data (`strike_drone`) or on a chart."""
    return CLASS_COLORS.get(str(name).strip().lower().replace(" ", "_"))
