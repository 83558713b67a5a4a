"""Uruguay: cédula de identidad."""
