"""Chile: RUT/RUN."""
