"""Pure builders of figures and UI pieces from DataFrames: no data loading, no callbacks."""
