"""México: CURP, RFC, CLABE."""
