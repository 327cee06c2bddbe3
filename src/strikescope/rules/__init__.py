"""The counting rules: the night of a row, one post on one night = one attack, the ranked
source policy (`nights`), and the reporting regimes (`regimes`)."""
