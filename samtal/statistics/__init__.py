"""Statistics for learning, not control: what children and guardians say, counted per age
band, unit and year, with no child identifiable (see suppression). No Flask views here."""
